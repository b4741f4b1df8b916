// The confirmation every operator action goes through: what will happen, a mandatory
// reason (recorded in the saga's history with the key's name), then the answer.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ProblemBox } from './common';

export interface ReasonDialogProps {
  title: string;
  /** What the action does, in words. */
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** Performs the action; what it resolves to is shown as the outcome (or close at once with null). */
  onConfirm: (reason: string) => Promise<ComponentChildren | null>;
  onClose: () => void;
  /** Extra fields are valid (e.g. override output is JSON); otherwise the message to show. */
  invalid?: string | null;
}

export function ReasonDialog({ title, children, confirmLabel, danger, onConfirm, onClose, invalid }: ReasonDialogProps) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [outcome, setOutcome] = useState<ComponentChildren | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    input.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (reason.trim() === '' || invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      const shown = await onConfirm(reason.trim());
      if (shown === null) onClose();
      else setOutcome(shown);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title}>
      <form onSubmit={submit}>
        <h3>{title}</h3>
        {outcome === null ? (
          <>
            <div class="dialog-body">{children}</div>
            <label class="field">
              <span>Reason (recorded in the saga history)</span>
              <textarea ref={input} name="reason" rows={2} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="e.g. customer cancelled the order, ticket OPS-42" />
            </label>
            {invalid && <div class="problem">{invalid}</div>}
            <ProblemBox error={error} />
            <div class="dialog-buttons">
              <button type="button" onClick={onClose}>
                Back
              </button>
              <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy || reason.trim() === '' || Boolean(invalid)}>
                {busy ? 'Working…' : confirmLabel}
              </button>
            </div>
          </>
        ) : (
          <>
            <div class="dialog-body" role="status">
              {outcome}
            </div>
            <div class="dialog-buttons">
              <button type="button" class="primary" onClick={onClose}>
                Close
              </button>
            </div>
          </>
        )}
      </form>
      </div>
    </div>
  );
}
