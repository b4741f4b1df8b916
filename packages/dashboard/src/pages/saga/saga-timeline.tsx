// Every command sent for the saga, oldest first, as rows of a waterfall: when it was sent,
// when it ended, how it ended and why, with a bar on the saga's time axis.
import type { SagaDetail } from '../../api/types';
import { Duration, Json, Status } from '../../components/common';
import { absoluteTime, duration } from '../../format/time';
import { buildTimeline } from '../../model/timeline';

export function SagaTimeline({ saga, now }: { saga: SagaDetail; now: number }) {
  const t = buildTimeline(saga, now);
  if (t.rows.length === 0) return <p class="muted">No command sent yet.</p>;
  return (
    <table class="grid timeline" data-testid="timeline">
      <thead>
        <tr>
          <th>Step</th>
          <th>Action</th>
          <th>Attempt</th>
          <th>Outcome</th>
          <th>Sent</th>
          <th>Ended</th>
          <th>Took</th>
          <th class="axis">
            <span>{absoluteTime(new Date(t.from).toISOString(), true).slice(11)}</span>
            <span>{duration(t.to - t.from)}</span>
          </th>
          <th>Error / output</th>
        </tr>
      </thead>
      <tbody>
        {t.rows.map((r) => (
          <tr key={`${r.step}:${r.action}:${r.attempt}`} class={`action-${r.action}`} data-step={r.step} data-action={r.action} data-attempt={r.attempt} data-outcome={r.status}>
            <td>
              <code>{r.step}</code>
            </td>
            <td class="nowrap">{r.action === 'compensate' ? <span class="compensate">↩ compensate</span> : 'execute'}</td>
            <td class="num">#{r.attempt}</td>
            <td>
              <Status value={r.status} />
            </td>
            <td>
              <ClockTime at={r.startedAt} from={t.from} />
            </td>
            <td>{r.endedAt ? <ClockTime at={r.endedAt} from={t.from} /> : <span class="muted">in flight</span>}</td>
            <td>
              <Duration ms={r.durationMs} />
            </td>
            <td class="axis">
              <div class="track">
                <div class={`bar outcome-${r.status.toLowerCase()}`} style={{ left: `${(r.offset * 100).toFixed(2)}%`, width: `max(3px, ${(r.width * 100).toFixed(2)}%)` }} />
              </div>
            </td>
            <td class="detail">{r.error ? <span class="error-text">{r.error}</span> : r.status === 'SUCCEEDED' && r.output !== null && r.output !== undefined ? <Json value={r.output} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The time of day to the millisecond, and how long after the saga was created. */
function ClockTime({ at, from }: { at: string; from: number }) {
  return (
    <time dateTime={at} title={at} class="time">
      <span class="num">{absoluteTime(at, true).slice(11)}</span>
      <span class="abs">+{duration(Date.parse(at) - from)}</span>
    </time>
  );
}
