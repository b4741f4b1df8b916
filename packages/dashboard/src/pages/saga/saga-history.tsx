// Every event decided for the saga, oldest first, with who caused it and what it changed.
import type { HistoryEntry } from '../../api/types';
import { Json, Time } from '../../components/common';
import { describeEvent } from '../../model/history-event';

export function SagaHistory({ history, now }: { history: HistoryEntry[]; now: number }) {
  return (
    <table class="grid history" data-testid="history">
      <thead>
        <tr>
          <th>When</th>
          <th>Event</th>
          <th>Actor</th>
          <th>What</th>
          <th>Status</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {history.map((h) => {
          const { type: _type, ...details } = h.event ?? {};
          return (
            <tr key={h.id} class={h.ignored ? 'ignored' : ''} data-event={h.eventType}>
              <td>
                <Time at={h.occurredAt} now={now} />
              </td>
              <td>
                <code>{h.eventType}</code>
                {h.ignored && <div class="small muted">not applied: {h.ignored}</div>}
              </td>
              <td class="actor">{h.actor ?? <span class="muted">—</span>}</td>
              <td>{describeEvent(h.event)}</td>
              <td class="small nowrap">{h.statusBefore === h.statusAfter ? h.statusAfter : `${h.statusBefore ?? '—'} → ${h.statusAfter ?? '—'}`}</td>
              <td>{Object.keys(details).length > 0 ? <Json value={details} /> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
