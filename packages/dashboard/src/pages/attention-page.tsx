// Needs attention: every FAILED saga (waiting for an operator), grouped by why it waits,
// with a bulk retry per group through POST /v1/bulk-operations: a dry run first, then
// the same request applied.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { BulkOperationResult, Me, SagaDetail, SagaPage } from '../api/types';
import { ProblemBox, ShortId, Time } from '../components/common';
import { useLoad, useNow } from '../hooks';
import { attentionItem, groupByReason, type AttentionGroup } from '../model/attention';
import { roleAllows } from '../model/saga-actions';
import { href } from '../router';

/** The list gives no reasons, so each saga is read; this bounds the work of one look. */
const MAX_SAGAS = 400;
const PARALLEL_READS = 6;

async function loadFailed(onProgress: (done: number, total: number) => void): Promise<{ groups: AttentionGroup[]; total: number; truncated: boolean }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: SagaPage = await api<SagaPage>(`v1/sagas?status=FAILED&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    ids.push(...page.items.map((s) => s.sagaId));
    cursor = page.nextCursor;
  } while (cursor && ids.length < MAX_SAGAS);
  const chosen = ids.slice(0, MAX_SAGAS);
  const details: SagaDetail[] = [];
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const id = chosen[next++];
      const saga = await api<SagaDetail>(`v1/sagas/${id}`);
      // A saga repaired meanwhile is no longer waiting.
      if (saga.status === 'FAILED') details.push(saga);
      onProgress(details.length, chosen.length);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_READS }, worker));
  return { groups: groupByReason(details.map(attentionItem)), total: details.length, truncated: cursor !== null || ids.length > MAX_SAGAS };
}

export function AttentionPage({ me }: { me: Me }) {
  const now = useNow(5_000);
  const [progress, setProgress] = useState<[number, number]>([0, 0]);
  const loaded = useLoad(() => loadFailed((d, t) => setProgress([d, t])), []);
  const [bulk, setBulk] = useState<AttentionGroup | null>(null);
  const mayRetry = roleAllows(me.role, 'operator');

  return (
    <div class="page">
      <div class="page-head">
        <h1>Needs attention</h1>
        <span class="spacer" />
        <button type="button" onClick={loaded.reload} disabled={loaded.loading}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Sagas in <strong>FAILED</strong> wait for an operator: a compensation, a step after the pivot or a pivot with an unknown outcome ran out of automatic attempts. Nothing runs for them until someone retries, resumes or overrides.
      </p>
      <ProblemBox error={loaded.error} />
      {loaded.loading && <p class="muted">Reading FAILED sagas… {progress[1] > 0 ? `${progress[0]} / ${progress[1]}` : ''}</p>}
      {loaded.data && loaded.data.total === 0 && <div class="notice ok">No saga needs an operator.</div>}
      {loaded.data?.truncated && <div class="notice">Showing the newest {MAX_SAGAS} FAILED sagas; more exist. Repair these, then refresh.</div>}
      {loaded.data?.groups.map((g) => (
        <section class="card group" key={g.reason} data-reason={g.reason}>
          <header class="card-head">
            <h2>
              <span class="badge attention">{g.reason}</span> <span class="count-big">{g.items.length}</span> saga{g.items.length === 1 ? '' : 's'}
            </h2>
            <span class="muted small">definitions: {g.definitions.join(', ')}</span>
            <span class="spacer" />
            {mayRetry && (
              <button type="button" class="primary" onClick={() => setBulk(g)}>
                Retry {g.items.length === 1 ? 'it' : `all ${g.items.length}`}…
              </button>
            )}
          </header>
          {g.messages.length > 0 && (
            <ul class="messages">
              {g.messages.map((m) => (
                <li key={m.message}>
                  <span class="muted">{m.count}×</span> {m.message}
                </li>
              ))}
            </ul>
          )}
          <table class="grid">
            <thead>
              <tr>
                <th>Saga</th>
                <th>Definition</th>
                <th>Business key</th>
                <th>Waiting steps</th>
                <th>Compensating because</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {g.items.map((i) => (
                <tr key={i.sagaId} data-saga-id={i.sagaId}>
                  <td>
                    <a href={href(`sagas/${i.sagaId}`)}>
                      <ShortId id={i.sagaId} />
                    </a>
                  </td>
                  <td>
                    {i.definition} <span class="muted">v{i.version}</span>
                  </td>
                  <td>{i.businessKey ?? <span class="muted">—</span>}</td>
                  <td>
                    {i.steps.map((s) => (
                      <div key={s.name}>
                        <code>{s.name}</code> <span class="muted small">{s.message}</span>
                      </div>
                    ))}
                  </td>
                  <td>{i.compensationCause ?? <span class="muted">—</span>}</td>
                  <td>
                    <Time at={i.steps[0]?.at ?? i.updatedAt} now={now} compact />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {bulk && (
        <BulkRetryDialog
          group={bulk}
          onClose={(changed) => {
            setBulk(null);
            if (changed) loaded.reload();
          }}
        />
      )}
    </div>
  );
}

function BulkRetryDialog({ group, onClose }: { group: AttentionGroup; onClose: (changed: boolean) => void }) {
  const [reason, setReason] = useState('');
  const [dry, setDry] = useState<BulkOperationResult | null>(null);
  const [applied, setApplied] = useState<BulkOperationResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const ids = group.items.map((i) => i.sagaId);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      // Only sagas still FAILED: one repaired since the page was read is left alone.
      const result = await api<BulkOperationResult>('v1/bulk-operations', {
        method: 'POST',
        body: { operation: 'retry', filter: { sagaIds: ids, status: ['FAILED'] }, reason: reason.trim(), dryRun, limit: Math.max(1, ids.length) },
      });
      if (dryRun) setDry(result);
      else setApplied(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="overlay">
      <div class="dialog wide" role="dialog" aria-modal="true" aria-label="Bulk retry">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim() !== '' && !busy) void run(dry === null);
        }}
      >
        <h3>
          Retry {ids.length} saga{ids.length === 1 ? '' : 's'} waiting with <span class="badge attention">{group.reason}</span>
        </h3>
        {!applied && (
          <>
            <p>Every step waiting for an operator in these sagas is sent again with a fresh attempt budget. First a dry run shows what would happen; nothing changes until you apply it.</p>
            <label class="field">
              <span>Reason (recorded in each saga's history)</span>
              <textarea name="reason" rows={2} value={reason} disabled={dry !== null} onInput={(e) => setReason(e.currentTarget.value)} placeholder="e.g. payments database is writable again, INC-42" />
            </label>
          </>
        )}
        {dry && !applied && <BulkCounts title="Dry run" result={dry} />}
        {applied && <BulkCounts title="Applied" result={applied} />}
        <ProblemBox error={error} />
        <div class="dialog-buttons">
          {!applied ? (
            <>
              <button type="button" onClick={() => onClose(false)}>
                Back
              </button>
              {dry === null ? (
                <button type="submit" class="primary" disabled={busy || reason.trim() === ''}>
                  {busy ? 'Working…' : 'Dry run'}
                </button>
              ) : (
                <button type="submit" class="danger" disabled={busy || dry.counts.wouldApply === 0}>
                  {busy ? 'Working…' : `Apply to ${dry.counts.wouldApply}`}
                </button>
              )}
            </>
          ) : (
            <button type="button" class="primary" onClick={() => onClose(true)}>
              Close
            </button>
          )}
        </div>
      </form>
      </div>
    </div>
  );
}

function BulkCounts({ title, result }: { title: string; result: BulkOperationResult }) {
  const refused = result.results.filter((r) => r.result === 'refused');
  return (
    <div class="bulk-result" role="status" data-testid={`bulk-${result.dryRun ? 'dry-run' : 'applied'}`}>
      <strong>{title}:</strong> {result.matched} matched · {result.dryRun ? `${result.counts.wouldApply} would be retried` : `${result.counts.applied} retried`} · {result.counts.noOp} no-op · {result.counts.refused} refused
      {refused.length > 0 && (
        <ul>
          {refused.map((r) => (
            <li key={r.sagaId}>
              <ShortId id={r.sagaId} /> {r.code}: {r.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
