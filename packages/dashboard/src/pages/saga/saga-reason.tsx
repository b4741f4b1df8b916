// Why the saga is in its status: what it waits for, why it compensates, who asked.
import type { SagaDetail } from '../../api/types';
import { Time } from '../../components/common';

const CAUSES: Record<string, string> = {
  'step-failed': 'a step failed',
  'cancel-requested': 'cancelled',
  'deadline-reached': 'the saga deadline passed',
  'step-overridden': 'a step was overridden by an operator',
};

export function SagaReason({ saga, now }: { saga: SagaDetail; now: number }) {
  const waiting = saga.steps.filter((s) => s.needsAttention !== null);
  const reason = saga.compensationReason;
  return (
    <div class={`reason card reason-${saga.status.toLowerCase()}`} data-testid="saga-reason">
      {saga.status === 'COMPLETED' && <p>Every step succeeded.</p>}
      {saga.status === 'RUNNING' && !reason && <p>Running forward{saga.currentSteps.length > 0 ? `: ${saga.currentSteps.join(', ')}` : ''}.</p>}
      {saga.status === 'FAILED' && (
        <div>
          <p>
            <strong>Needs an operator.</strong> Nothing is in flight; it goes on {saga.escalation?.from === 'COMPENSATING' ? 'compensating' : 'forward'} when someone retries, resumes or overrides.
            {saga.escalation && (
              <>
                {' '}
                Since <Time at={saga.escalation.at} now={now} compact />.
              </>
            )}
          </p>
        </div>
      )}
      {waiting.length > 0 && (
        <ul class="attention-list">
          {waiting.map((s) => (
            <li key={s.name}>
              <code>{s.name}</code> <span class="badge attention">{s.needsAttention!.reason}</span> {s.needsAttention!.message}
            </li>
          ))}
        </ul>
      )}
      {reason && (
        <p data-field="compensationReason">
          <strong>{saga.status === 'COMPENSATED' ? 'Compensated' : 'Compensating'} because {CAUSES[reason.cause] ?? reason.cause}</strong>
          {reason.step && (
            <>
              {' '}
              (step <code>{reason.step}</code>)
            </>
          )}
          {reason.by && <> by {reason.by}</>}: <q>{reason.message}</q> <Time at={reason.at} now={now} compact />
        </p>
      )}
    </div>
  );
}
