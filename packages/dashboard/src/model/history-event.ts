// One line saying what a history event was, so the history reads without opening JSON:
// "charge execute #1: failure (CARD_DECLINED: card declined)", "cancel: customer called". Pure.
import { errorText } from './timeline';

export function describeEvent(event: Record<string, unknown> | null | undefined): string {
  if (!event) return '';
  const e = event as Record<string, unknown> & { type?: string };
  const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  const attempt = `${str(e.step)} ${str(e.action)} #${str(e.attempt)}`;
  const why = e.reason ? `: ${str(e.reason)}` : '';
  switch (e.type) {
    case 'SagaStarted':
      return 'started';
    case 'StepReplied': {
      const error = errorText(e.error);
      return `${attempt}: ${str(e.outcome)}${error ? ` (${error})` : ''}`;
    }
    case 'AttemptTimedOut':
      return `${attempt}: no reply before its deadline`;
    case 'BackoffElapsed':
      return `${attempt}: backoff over, sending it`;
    case 'DeadlineReached':
      return 'the saga deadline passed';
    case 'CancelRequested':
      return `cancel${why}`;
    case 'RetryRequested':
      return `retry ${e.step ? str(e.step) : 'every waiting step'}${why}`;
    case 'ResumeRequested':
      return `resume${why}`;
    case 'StepOverridden':
      return `${str(e.step)} overridden as ${str(e.as)}${why}`;
    default:
      return '';
  }
}
