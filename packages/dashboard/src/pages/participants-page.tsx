// Participants: every service the coordinator sends commands to, whether it answers,
// its consumer group, and its circuit breaker (open/close for operators).
import { useState } from 'preact/hooks';
import { api, ApiProblem } from '../api/client';
import type { Breaker, ItemList, Me, Participant } from '../api/types';
import { NotAvailable, ProblemBox, Status, Time } from '../components/common';
import { ReasonDialog } from '../components/reason-dialog';
import { useLoad, useNow } from '../hooks';
import { roleAllows } from '../model/saga-actions';

const LIVE_EVERY_MS = 5_000;

export function ParticipantsPage({ me }: { me: Me }) {
  const now = useNow(2_000);
  const list = useLoad(() => api<ItemList<Participant>>('v1/participants'), [], LIVE_EVERY_MS);
  const [breaker, setBreaker] = useState<{ name: string; to: 'open' | 'close' } | null>(null);
  const mayOperate = roleAllows(me.role, 'operator');
  const missing = list.error instanceof ApiProblem && list.error.notAvailable;

  return (
    <div class="page">
      <h1>Participants</h1>
      {missing ? <NotAvailable what="The participants view (GET /v1/participants)" /> : <ProblemBox error={list.error} />}
      {list.data && (
        <table class="grid participants">
          <thead>
            <tr>
              <th>Participant</th>
              <th>Status</th>
              <th class="num">Commands sent</th>
              <th class="num">Replies</th>
              <th>Last reply</th>
              <th class="num">Timed out recently</th>
              <th>Consumer group</th>
              <th>Circuit breaker</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((p) => (
              <tr key={p.name} data-participant={p.name}>
                <td>
                  <strong>{p.name}</strong>
                  <div class="muted small">
                    <code>{p.commandTopic}</code>
                  </div>
                </td>
                <td>
                  <Status value={p.status} />
                </td>
                <td class="num">{p.commandsSent}</td>
                <td class="num">{p.repliesReceived}</td>
                <td>
                  <Time at={p.lastReplyAt} now={now} compact />
                </td>
                <td class={`num ${p.attemptsTimedOutRecently > 0 ? 'warn' : ''}`}>{p.attemptsTimedOutRecently}</td>
                <td>
                  {p.consumerGroup ? (
                    <>
                      <code>{p.consumerGroup.groupId}</code>
                      <div class="small">
                        {p.consumerGroup.members} member{p.consumerGroup.members === 1 ? '' : 's'} · lag {p.consumerGroup.lag ?? '—'}
                      </div>
                    </>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td>
                  <BreakerCell breaker={p.breaker} now={now} />
                  {/* A breaker never opened is null (closed): operators may still open it. */}
                  {mayOperate && (
                    <div>
                      {!p.breaker || p.breaker.state === 'closed' ? (
                        <button type="button" class="small danger" onClick={() => setBreaker({ name: p.name, to: 'open' })}>
                          Open…
                        </button>
                      ) : (
                        <button type="button" class="small" onClick={() => setBreaker({ name: p.name, to: 'close' })}>
                          Close…
                        </button>
                      )}
                    </div>
                  )}
                </td>
              </tr>
            ))}
            {list.data.items.length === 0 && (
              <tr>
                <td colSpan={8} class="empty">
                  The coordinator has sent no command yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {breaker && (
        <ReasonDialog
          title={`${breaker.to === 'open' ? 'Open' : 'Close'} the circuit breaker of ${breaker.name}?`}
          confirmLabel={breaker.to === 'open' ? 'Open breaker' : 'Close breaker'}
          danger={breaker.to === 'open'}
          onClose={() => {
            setBreaker(null);
            list.reload();
          }}
          onConfirm={async (reason) => {
            await api(`v1/participants/${encodeURIComponent(breaker.name)}/breaker/${breaker.to}`, { method: 'POST', body: { reason } });
            return null;
          }}
        >
          <p>{breaker.to === 'open' ? 'No new attempts are sent to this participant until the breaker closes; sagas wait, they do not fail.' : 'Commands flow to this participant again.'}</p>
        </ReasonDialog>
      )}
    </div>
  );
}

function BreakerCell({ breaker, now }: { breaker: Breaker | null; now: number }) {
  if (!breaker) return <Status value="closed" title="never opened" />;
  return (
    <div>
      <Status value={breaker.state} /> <Time at={breaker.since} now={now} compact />
      {(breaker.reason || breaker.by) && (
        <div class="small muted">
          {breaker.reason}
          {breaker.by ? ` (${breaker.by})` : ''}
        </div>
      )}
    </div>
  );
}
