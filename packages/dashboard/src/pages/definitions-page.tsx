// Definitions: every registered saga definition, its versions, and (where the API
// reports them) how many instances of each version run, failed or finished.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { DefinitionDocument, DefinitionVersionSummary, ItemList } from '../api/types';
import { Json, ProblemBox, Time } from '../components/common';
import { useLoad, useNow } from '../hooks';
import { href } from '../router';

interface DefinitionRow {
  name: string;
  versions: DefinitionVersionSummary[];
}

async function loadDefinitions(): Promise<DefinitionRow[]> {
  const latest = await api<ItemList<DefinitionVersionSummary>>('v1/definitions');
  return Promise.all(
    latest.items.map(async (d) => ({
      name: d.name,
      versions: (await api<ItemList<DefinitionVersionSummary>>(`v1/definitions/${encodeURIComponent(d.name)}/versions`)).items,
    })),
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
                <th>Running</th>
                <th>Failed</th>
                <th>Finished</th>
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
                  <Count n={v.counts?.running} />
                  <Count n={v.counts?.failed} warn />
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

function Count({ n, warn = false }: { n: number | undefined; warn?: boolean }) {
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
