// One saga: what it is, why it is in its status, every command sent on a timeline, its
// steps, input and outputs, the history with its actors, and the operator's buttons.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Me, SagaDetail } from '../api/types';
import { Copy, Json, ProblemBox, Section, Status, Time } from '../components/common';
import { useLoad, useNow } from '../hooks';
import { href } from '../router';
import { SagaActions } from './saga/saga-actions';
import { SagaHistory } from './saga/saga-history';
import { SagaReason } from './saga/saga-reason';
import { SagaSteps } from './saga/saga-steps';
import { SagaTimeline } from './saga/saga-timeline';

const LIVE_EVERY_MS = 2_000;

export function SagaPage({ sagaId, me }: { sagaId: string; me: Me }) {
  const now = useNow(1_000);
  // Live while the saga can still change; a finished saga is read once more, then left alone.
  const [liveMs, setLiveMs] = useState<number | undefined>(LIVE_EVERY_MS);
  const saga = useLoad(() => api<SagaDetail>(`v1/sagas/${encodeURIComponent(sagaId)}`), [sagaId], liveMs);
  const s = saga.data;
  const finished = s !== undefined && (s.status === 'COMPLETED' || s.status === 'COMPENSATED');
  useEffect(() => setLiveMs(finished ? undefined : LIVE_EVERY_MS), [finished]);

  if (!s) {
    return (
      <div class="page">
        <p>
          <a href={href('sagas')}>← Sagas</a>
        </p>
        {saga.error ? <ProblemBox error={saga.error} /> : <p class="muted">Loading…</p>}
      </div>
    );
  }
  return (
    <div class="page saga">
      <p class="crumbs">
        <a href={href('sagas')}>← Sagas</a>
      </p>
      <div class="saga-head">
        <h1>
          {s.definition.name} <span class="muted">v{s.definition.version}</span>
        </h1>
        <Status value={s.status} />
        {s.businessKey && <span class="business-key">{s.businessKey}</span>}
        <span class="spacer" />
        {!finished && <span class="muted small live-dot">live</span>}
        <button type="button" onClick={saga.reload}>
          Refresh
        </button>
      </div>
      <ProblemBox error={saga.error} />
      <div class="saga-top">
        <dl class="facts card">
          <dt>Saga id</dt>
          <dd>
            <code data-field="sagaId">{s.sagaId}</code> <Copy text={s.sagaId} />
          </dd>
          <dt>Trace id</dt>
          <dd>{s.traceId ? <><code data-field="traceId">{s.traceId}</code> <Copy text={s.traceId} /></> : <span class="muted">—</span>}</dd>
          <dt>Idempotency key</dt>
          <dd>{s.idempotencyKey ? <code>{s.idempotencyKey}</code> : <span class="muted">—</span>}</dd>
          <dt>Created</dt>
          <dd>
            <Time at={s.createdAt} now={now} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time at={s.updatedAt} now={now} />
          </dd>
          <dt>Finished</dt>
          <dd>
            <Time at={s.finishedAt} now={now} />
          </dd>
          {s.deadlineAt && (
            <>
              <dt>Deadline</dt>
              <dd>
                <Time at={s.deadlineAt} now={now} />
              </dd>
            </>
          )}
          <dt>Current steps</dt>
          <dd>{s.currentSteps.length > 0 ? s.currentSteps.join(', ') : <span class="muted">—</span>}</dd>
        </dl>
        <div class="saga-side">
          <SagaReason saga={s} now={now} />
          <SagaActions saga={s} me={me} onDone={saga.reload} />
        </div>
      </div>
      <Section title="Timeline">
        <SagaTimeline saga={s} now={now} />
      </Section>
      <Section title="Steps">
        <SagaSteps saga={s} now={now} />
      </Section>
      <Section title="Input">
        <Json value={s.input} open />
      </Section>
      <Section title={`History (${s.history.length} events)`}>
        <SagaHistory history={s.history} now={now} />
      </Section>
    </div>
  );
}
