// Dead letters: the latest messages the coordinator could not use, and why.
import { useState } from 'preact/hooks';
import { api, ApiProblem } from '../api/client';
import type { DeadLetter, ItemList } from '../api/types';
import { Json, NotAvailable, ProblemBox, Time } from '../components/common';
import { useLoad, useNow } from '../hooks';

const LIMITS = [50, 100, 200];

export function DeadLettersPage() {
  const now = useNow(5_000);
  const [limit, setLimit] = useState(LIMITS[0]);
  const list = useLoad(() => api<ItemList<DeadLetter>>(`v1/dead-letters?limit=${limit}`), [limit], 10_000);
  const missing = list.error instanceof ApiProblem && list.error.notAvailable;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Dead letters</h1>
        <span class="spacer" />
        <label class="field inline">
          <span>Show the last</span>
          <select name="limit" value={String(limit)} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
            {LIMITS.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {missing ? <NotAvailable what="The dead-letter view (GET /v1/dead-letters)" /> : <ProblemBox error={list.error} />}
      {list.data && (
        <table class="grid dead-letters">
          <thead>
            <tr>
              <th>When</th>
              <th>Reason</th>
              <th>By</th>
              <th>From</th>
              <th>Key</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <Time at={d.deadLetteredAt} now={now} />
                </td>
                <td>
                  <span class="badge attention">{d.reasonCode}</span>
                  <div class="small">{d.reason}</div>
                </td>
                <td>{d.by ?? <span class="muted">—</span>}</td>
                <td class="small">
                  <code>{d.source.topic}</code> [{d.source.partition}] @{d.source.offset}
                </td>
                <td>{d.key ? <code>{d.key}</code> : <span class="muted">—</span>}</td>
                <td>
                  <MessageValue value={d.value} />
                </td>
              </tr>
            ))}
            {list.data.items.length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  No dead letters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The message as JSON when it is JSON, else as text (it may be the very bytes that could not be parsed). */
function MessageValue({ value }: { value: string | null }) {
  if (value === null) return <span class="muted">null</span>;
  try {
    return <Json value={JSON.parse(value)} />;
  } catch {
    return <code class="raw">{value.length > 300 ? `${value.slice(0, 300)}…` : value}</code>;
  }
}
