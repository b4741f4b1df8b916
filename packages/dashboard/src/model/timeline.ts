// The timeline of one saga: every command sent for every step (attempts of the action
// and of its compensation), in the order they were sent, each placed on the saga's time
// axis. Pure: built from the API's saga detail and "now" (for attempts still in flight).
import type { Attempt, AttemptStatus, SagaDetail } from '../api/types';

export interface TimelineRow {
  step: string;
  action: 'execute' | 'compensate';
  attempt: number;
  status: AttemptStatus;
  startedAt: string;
  /** The reply, or the deadline of an attempt that timed out; null while in flight. */
  endedAt: string | null;
  durationMs: number | null;
  error: string | null;
  output: unknown;
  /** Position of the bar on the saga's time axis, as fractions of its width (0..1). */
  offset: number;
  width: number;
}

export interface Timeline {
  rows: TimelineRow[];
  /** The axis: from the saga's creation to its end, or to now while it runs. */
  from: number;
  to: number;
}

export function buildTimeline(saga: SagaDetail, nowMs: number): Timeline {
  const from = Date.parse(saga.createdAt);
  const attempts = saga.steps.flatMap((s) => s.attempts.map((a) => ({ step: s.name, a })));
  const ends = attempts.map(({ a }) => endOf(a, nowMs));
  const to = Math.max(from + 1, saga.finishedAt ? Date.parse(saga.finishedAt) : nowMs, ...ends);
  const span = to - from;
  const rows = attempts
    .map(({ step, a }, i): TimelineRow => {
      const start = Date.parse(a.sentAt);
      const end = ends[i];
      const endedAt = a.repliedAt ?? (a.status === 'TIMED_OUT' ? a.deadlineAt : null);
      return {
        step,
        action: a.action,
        attempt: a.attempt,
        status: a.status,
        startedAt: a.sentAt,
        endedAt,
        durationMs: a.durationMs ?? (endedAt ? Date.parse(endedAt) - start : null),
        error: errorText(a.error),
        output: a.output,
        offset: clamp((start - from) / span),
        width: clamp((end - start) / span),
      };
    })
    .sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt) || x.step.localeCompare(y.step) || x.attempt - y.attempt);
  return { rows, from, to };
}

function endOf(a: Attempt, nowMs: number): number {
  if (a.repliedAt) return Date.parse(a.repliedAt);
  if (a.status === 'TIMED_OUT' && a.deadlineAt) return Date.parse(a.deadlineAt);
  return Math.max(Date.parse(a.sentAt), nowMs);
}

const clamp = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));

/** A reply's error as one line: "CARD_DECLINED: card declined", or the JSON of an unexpected shape. */
export function errorText(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e.message === 'string') return typeof e.code === 'string' && e.code !== '' ? `${e.code}: ${e.message}` : e.message;
  }
  return JSON.stringify(error);
}
