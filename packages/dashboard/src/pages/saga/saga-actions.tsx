// The operator's buttons on one saga: only those the key's role allows and the saga's
// state can accept, each behind a confirmation with a reason.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { Me, OperationResult, SagaDetail } from '../../api/types';
import { ReasonDialog } from '../../components/reason-dialog';
import { availableActions, overridableSteps, retryableSteps, type SagaAction } from '../../model/saga-actions';

export function SagaActions({ saga, me, onDone }: { saga: SagaDetail; me: Me; onDone: () => void }) {
  const [open, setOpen] = useState<SagaAction | null>(null);
  const actions = availableActions(saga, me.role);
  if (actions.length === 0) return null;
  const close = () => {
    setOpen(null);
    onDone();
  };
  const path = `v1/sagas/${encodeURIComponent(saga.sagaId)}`;
  return (
    <div class="actions card" data-testid="saga-actions">
      <span class="label">Operator</span>
      {actions.includes('cancel') && (
        <button type="button" class="danger" onClick={() => setOpen('cancel')}>
          Cancel saga…
        </button>
      )}
      {actions.includes('retry') && (
        <button type="button" onClick={() => setOpen('retry')}>
          Retry…
        </button>
      )}
      {actions.includes('resume') && (
        <button type="button" onClick={() => setOpen('resume')}>
          Resume…
        </button>
      )}
      {actions.includes('override') && (
        <button type="button" onClick={() => setOpen('override')}>
          Override step…
        </button>
      )}
      {open === 'cancel' && (
        <ReasonDialog title="Cancel this saga?" confirmLabel="Cancel saga" danger onClose={close} onConfirm={(reason) => post(`${path}/cancel`, { reason })}>
          <p>Steps in flight are awaited, then every step that was done is compensated in reverse order. This cannot be undone.</p>
        </ReasonDialog>
      )}
      {open === 'retry' && <RetryDialog saga={saga} path={path} onClose={close} />}
      {open === 'resume' && (
        <ReasonDialog title="Resume this saga?" confirmLabel="Resume" onClose={close} onConfirm={(reason) => post(`${path}/resume`, { reason })}>
          <p>Every step waiting for an operator is attempted again, with a fresh attempt budget.</p>
        </ReasonDialog>
      )}
      {open === 'override' && <OverrideDialog saga={saga} path={path} onClose={close} />}
    </div>
  );
}

async function post(path: string, body: object): Promise<ComponentChildren> {
  const r = await api<OperationResult>(path, { method: 'POST', body });
  return (
    <p>
      <strong>{r.result === 'applied' ? 'Done' : 'Nothing to do'}</strong>
      {r.detail ? `: ${r.detail}` : ''}. The saga is now <strong>{r.saga.status}</strong>.
    </p>
  );
}

function RetryDialog({ saga, path, onClose }: { saga: SagaDetail; path: string; onClose: () => void }) {
  const steps = retryableSteps(saga);
  const [step, setStep] = useState('');
  return (
    <ReasonDialog title="Retry now?" confirmLabel="Retry" onClose={onClose} onConfirm={(reason) => post(`${path}/retry`, step ? { reason, step } : { reason })}>
      <p>Sends the step again now, with a fresh attempt budget, instead of waiting for its backoff or for an operator.</p>
      <label class="field">
        <span>Step</span>
        <select name="step" value={step} onChange={(e) => setStep(e.currentTarget.value)}>
          <option value="">every waiting step</option>
          {steps.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name} ({s.status.toLowerCase()})
            </option>
          ))}
        </select>
      </label>
    </ReasonDialog>
  );
}

function OverrideDialog({ saga, path, onClose }: { saga: SagaDetail; path: string; onClose: () => void }) {
  const choices = overridableSteps(saga);
  const [step, setStep] = useState(choices[0]?.step.name ?? '');
  const chosen = choices.find((c) => c.step.name === step);
  const [as, setAs] = useState<'succeeded' | 'compensated'>(chosen?.as[0] ?? 'succeeded');
  const [output, setOutput] = useState('');
  const effectiveAs = chosen && chosen.as.includes(as) ? as : (chosen?.as[0] ?? as);
  let parsed: unknown;
  let invalid: string | null = null;
  if (effectiveAs === 'succeeded' && output.trim() !== '') {
    try {
      parsed = JSON.parse(output);
    } catch {
      invalid = 'The output must be JSON (or empty).';
    }
  }
  return (
    <ReasonDialog
      title="Override a step by hand?"
      confirmLabel={`Mark ${effectiveAs}`}
      danger
      invalid={invalid}
      onClose={onClose}
      onConfirm={(reason) => post(`${path}/steps/${encodeURIComponent(step)}/override`, { as: effectiveAs, reason, ...(parsed !== undefined ? { output: parsed } : {}) })}
    >
      <p>Declares that you did the step's work (or undid it) yourself. The saga goes on as if the participant had answered.</p>
      <label class="field">
        <span>Step</span>
        <select name="override-step" value={step} onChange={(e) => setStep(e.currentTarget.value)}>
          {choices.map((c) => (
            <option key={c.step.name} value={c.step.name}>
              {c.step.name} ({c.step.status.toLowerCase()})
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>As</span>
        <select name="override-as" value={effectiveAs} onChange={(e) => setAs(e.currentTarget.value as 'succeeded' | 'compensated')}>
          {(chosen?.as ?? []).map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      {effectiveAs === 'succeeded' && (
        <label class="field">
          <span>Output later steps will see (JSON, optional)</span>
          <textarea name="override-output" rows={3} value={output} onInput={(e) => setOutput(e.currentTarget.value)} placeholder='{"trackingId": "T-1"}' />
        </label>
      )}
    </ReasonDialog>
  );
}
