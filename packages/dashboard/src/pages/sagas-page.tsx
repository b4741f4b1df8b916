// Sagas: the list, newest first, with the API's filters, cursor paging and live refresh.
import { useState } from 'preact/hooks';
import { api, query } from '../api/client';
import { SAGA_STATUSES, type DefinitionVersionSummary, type ItemList, type SagaPage, type SagaStatus } from '../api/types';
import { Duration, ProblemBox, ShortId, Status, Time } from '../components/common';
import { fromLocalInput, toLocalInput } from '../format/time';
import { useLoad, useNow } from '../hooks';
import { EMPTY_FILTER, filterFromParams, filterToParams, needsOperatorOnly, type SagaFilter } from '../model/saga-filter';
import { href, replaceRoute } from '../router';

const PAGE_SIZE = 50;
const LIVE_EVERY_MS = 3_000;
const QUICK_RANGES: { label: string; ms: number }[] = [
  { label: '1 h', ms: 3_600_000 },
  { label: '24 h', ms: 86_400_000 },
  { label: '7 d', ms: 7 * 86_400_000 },
];

export function SagasPage({ params }: { params: URLSearchParams }) {
  const filter = filterFromParams(params);
  const filterKey = filterToParams(filter).toString();
  // Cursors of the pages before the current one, to page back; [] on the first page.
  const [trail, setTrail] = useState<{ filterKey: string; cursors: (string | null)[] }>({ filterKey, cursors: [] });
  const cursors = trail.filterKey === filterKey ? trail.cursors : [];
  const cursor = cursors.length > 0 ? cursors[cursors.length - 1] : null;
  const [live, setLive] = useState(true);
  const now = useNow(2_000);

  const page = useLoad(
    () =>
      api<SagaPage>(
        `v1/sagas${query({ status: filter.statuses.join(','), definition: filter.definition, businessKey: filter.businessKey, createdFrom: filter.createdFrom, createdTo: filter.createdTo, limit: PAGE_SIZE, cursor })}`,
      ),
    [filterKey, cursor],
    live ? LIVE_EVERY_MS : undefined,
  );
  const definitions = useLoad(() => api<ItemList<DefinitionVersionSummary>>('v1/definitions'), []);

  const apply = (next: SagaFilter) => replaceRoute('sagas', filterToParams(next));
  const go = (next: (string | null)[]) => setTrail({ filterKey, cursors: next });

  return (
    <div class="page">
      <h1>Sagas</h1>
      <FilterBar key={filterKey} filter={filter} definitions={definitions.data?.items.map((d) => d.name) ?? []} onChange={apply} />
      <div class="toolbar">
        <label class="check" title={`refresh every ${LIVE_EVERY_MS / 1000} s`}>
          <input type="checkbox" name="live" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> Live
        </label>
        <span class="muted small">{page.loading ? 'loading…' : page.data ? `${page.data.items.length} shown${page.data.nextCursor ? ', more on the next page' : ''}` : ''}</span>
        <span class="spacer" />
        <button type="button" disabled={cursors.length === 0} onClick={() => go([])}>
          Newest
        </button>
        <button type="button" disabled={cursors.length === 0} onClick={() => go(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && go([...cursors, page.data.nextCursor])}>
          Older →
        </button>
      </div>
      <ProblemBox error={page.error} />
      <table class="grid sagas">
        <thead>
          <tr>
            <th>Status</th>
            <th>Saga</th>
            <th>Definition</th>
            <th>Business key</th>
            <th>Created</th>
            <th>Updated</th>
            <th>Took</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.items.map((s) => (
            <tr key={s.sagaId} data-saga-id={s.sagaId}>
              <td>
                <Status value={s.status} />
              </td>
              <td>
                <a href={href(`sagas/${s.sagaId}`)}>
                  <ShortId id={s.sagaId} />
                </a>
              </td>
              <td>
                {s.definition.name} <span class="muted">v{s.definition.version}</span>
              </td>
              <td>{s.businessKey ?? <span class="muted">—</span>}</td>
              <td>
                <Time at={s.createdAt} now={now} />
              </td>
              <td>
                <Time at={s.updatedAt} now={now} compact />
              </td>
              <td>{s.finishedAt ? <Duration ms={Date.parse(s.finishedAt) - Date.parse(s.createdAt)} /> : <span class="muted">{s.status === 'FAILED' ? 'waiting for an operator' : 'running'}</span>}</td>
            </tr>
          ))}
          {page.data && page.data.items.length === 0 && (
            <tr>
              <td colSpan={7} class="empty">
                No saga matches these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function FilterBar({ filter, definitions, onChange }: { filter: SagaFilter; definitions: string[]; onChange: (f: SagaFilter) => void }) {
  const [businessKey, setBusinessKey] = useState(filter.businessKey ?? '');
  const toggle = (s: SagaStatus) => onChange({ ...filter, statuses: filter.statuses.includes(s) ? filter.statuses.filter((x) => x !== s) : [...filter.statuses, s] });
  const definitionChoices = filter.definition && !definitions.includes(filter.definition) ? [filter.definition, ...definitions] : definitions;
  return (
    <form
      class="filters card"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ ...filter, businessKey: businessKey.trim() || undefined });
      }}
    >
      <div class="filter-row">
        <span class="label">Status</span>
        {SAGA_STATUSES.map((s) => (
          <label key={s} class={`chip ${filter.statuses.includes(s) ? 'on' : ''}`}>
            <input type="checkbox" name={`status-${s}`} checked={filter.statuses.includes(s)} onChange={() => toggle(s)} />
            <span class={`dot status-${s.toLowerCase()}`} />
            {s.toLowerCase()}
          </label>
        ))}
        <label class={`chip attention ${needsOperatorOnly(filter) ? 'on' : ''}`} title="FAILED: waiting for an operator">
          <input type="checkbox" name="needs-operator" checked={needsOperatorOnly(filter)} onChange={(e) => onChange({ ...filter, statuses: e.currentTarget.checked ? ['FAILED'] : [] })} />
          needs operator
        </label>
      </div>
      <div class="filter-row">
        <label class="field inline">
          <span>Definition</span>
          <select name="definition" value={filter.definition ?? ''} onChange={(e) => onChange({ ...filter, definition: e.currentTarget.value || undefined })}>
            <option value="">any</option>
            {definitionChoices.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label class="field inline">
          <span>Business key</span>
          <input name="businessKey" value={businessKey} onInput={(e) => setBusinessKey(e.currentTarget.value)} onBlur={() => businessKey.trim() !== (filter.businessKey ?? '') && onChange({ ...filter, businessKey: businessKey.trim() || undefined })} placeholder="exact, e.g. order-4711" />
        </label>
        <label class="field inline">
          <span>Created from</span>
          <input type="datetime-local" name="createdFrom" value={toLocalInput(filter.createdFrom)} onChange={(e) => onChange({ ...filter, createdFrom: fromLocalInput(e.currentTarget.value) })} />
        </label>
        <label class="field inline">
          <span>to</span>
          <input type="datetime-local" name="createdTo" value={toLocalInput(filter.createdTo)} onChange={(e) => onChange({ ...filter, createdTo: fromLocalInput(e.currentTarget.value) })} />
        </label>
        <span class="quick">
          last
          {QUICK_RANGES.map((r) => (
            <button key={r.label} type="button" class="link" onClick={() => onChange({ ...filter, createdFrom: new Date(Date.now() - r.ms).toISOString(), createdTo: undefined })}>
              {r.label}
            </button>
          ))}
        </span>
        <span class="filter-buttons">
          <button type="submit" class="primary">
            Apply
          </button>
          <button
            type="button"
            onClick={() => {
              setBusinessKey('');
              onChange(EMPTY_FILTER);
            }}
          >
            Clear
          </button>
        </span>
      </div>
    </form>
  );
}
