// Definitions: every registered saga definition, its versions, and (where the API
// reports them) how many instances of each version run, failed or finished.
import { useState } from 'preact/hooks';
import { api, query } from '../api/client';
import type { DefinitionDocument, DefinitionVersionSummary, ItemList, SagaPage } from '../api/types';
import { Json, ProblemBox, Time } from '../components/common';
import { useLoad, useNow } from '../hooks';
import { href } from '../router';

interface DefinitionRow {
  name: string;
  versions: DefinitionVersionSummary[];
  /** Counted from the sagas list when the API does not count per version itself. */
  counted?: { running: VersionCounts; failed: VersionCounts };
}

/** Instances per version among the newest COUNT_LIMIT; `capped` when there may be more. */
interface VersionCounts {
  byVersion: Record<number, number>;
  capped: boolean;
}

const COUNT_LIMIT = 200;

async function countByVersion(name: string, statuses: string): Promise<VersionCounts> {
  const page = await api<SagaPage>(`v1/sagas${query({ definition: name, status: statuses, limit: COUNT_LIMIT })}`);
  const byVersion: Record<number, number> = {};
  for (const s of page.items) byVersion[s.definition.version] = (byVersion[s.definition.version] ?? 0) + 1;
  return { byVersion, capped: page.nextCursor !== null };
}

async function loadDefinitions(): Promise<DefinitionRow[]> {
  const latest = await api<ItemList<DefinitionVersionSummary>>('v1/definitions');
  return Promise.all(
    latest.items.map(async (d): Promise<DefinitionRow> => {
      const versions = (await api<ItemList<DefinitionVersionSummary>>(`v1/definitions/${encodeURIComponent(d.name)}/versions`)).items;
      if (versions.every((v) => v.counts !== undefined)) return { name: d.name, versions };
      const [running, failed] = await Promise.all([countByVersion(d.name, 'RUNNING,COMPENSATING'), countByVersion(d.name, 'FAILED')]);
      return { name: d.name, versions, counted: { running, failed } };
    }),
  );
}

export function DefinitionsPage() {
  const now = useNow(10_000);
  const defs = useLoad(loadDefinitions, [], 15_000);
  return (
    <div class="page">
      <h1>Definitions</h1>
      <ProblemBox error={defs.error} />
      {defs.data?.length === 0 && <div class="notice">No definition is registered yet (POST /v1/definitions).</div>}
      {defs.data?.map((d) => (
        <section class="card" key={d.name} data-definition={d.name}>
          <header class="card-head">
            <h2>{d.name}</h2>
            <span class="muted small">{d.versions.length} version{d.versions.length === 1 ? '' : 's'}</span>
            <span class="spacer" />
            <a href={href('sagas', new URLSearchParams({ definition: d.name }))}>sagas</a>
            <a href={href('sagas', new URLSearchParams({ definition: d.name, status: 'RUNNING,COMPENSATING' }))}>running</a>
            <a href={href('sagas', new URLSearchParams({ definition: d.name, status: 'FAILED' }))}>needing an operator</a>
          </header>
          <table class="grid">
            <thead>
              <tr>
                <th>Version</th>
                <th>Registered</th>
                <th>Description</th>
                <th class="num">Running</th>
                <th class="num">Failed</th>
                <th class="num">Finished</th>
                <th>Document</th>
              </tr>
            </thead>
            <tbody>
              {[...d.versions].reverse().map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>
                    v{v.version} {v.deprecated && <span class="badge deprecated">deprecated</span>}
                    <div class="muted small">
                      <code title={v.contentHash}>{v.contentHash.slice(0, 12)}</code>
                    </div>
                  </td>
                  <td>
                    <Time at={v.createdAt} now={now} />
                  </td>
                  <td>{v.description ?? <span class="muted">—</span>}</td>
                  <Count n={v.counts?.running} counted={d.counted?.running} version={v.version} />
                  <Count n={v.counts?.failed} counted={d.counted?.failed} version={v.version} warn />
                  <Count n={v.counts?.finished} />
                  <td>
                    <DocumentView name={d.name} version={v.version} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

function Count({ n, counted, version, warn = false }: { n: number | undefined; counted?: VersionCounts; version?: number; warn?: boolean }) {
  if (n === undefined && counted && version !== undefined) {
    const c = counted.byVersion[version] ?? 0;
    return (
      <td class={`num ${warn && c > 0 ? 'warn' : ''}`} title={counted.capped ? `counted among the newest ${COUNT_LIMIT} sagas in this state` : undefined}>
        {c}
        {counted.capped && c > 0 ? '+' : ''}
      </td>
    );
  }
  if (n === undefined) return <td class="num muted" title="this coordinator does not count instances per version yet">—</td>;
  return <td class={`num ${warn && n > 0 ? 'warn' : ''}`}>{n}</td>;
}

/** The registered document, read when asked for. */
function DocumentView({ name, version }: { name: string; version: number }) {
  const [open, setOpen] = useState(false);
  return open ? <LoadedDocument name={name} version={version} /> : (
    <button type="button" class="link" onClick={() => setOpen(true)}>
      show
    </button>
  );
}

function LoadedDocument({ name, version }: { name: string; version: number }) {
  const doc = useLoad(() => api<DefinitionDocument>(`v1/definitions/${encodeURIComponent(name)}/versions/${version}`), [name, version]);
  if (doc.error) return <ProblemBox error={doc.error} />;
  if (!doc.data) return <span class="muted">loading…</span>;
  return <Json value={doc.data.document} open label="document" />;
}
