// The one place that decides whether an error is transient: retrying the same work later
// may succeed (a dependency is down or busy), as opposed to deterministic (the same input
// fails the same way: a bug, a corrupt row, a constraint). The coordinator's loops retry
// the first kind in place and isolate the second, its API answers 503 for the first, and
// a participant starting during an outage waits for it. Shared by the coordinator and the SDK.

// PostgreSQL SQLSTATEs: connection exceptions, server shutting down / crash shutdown /
// cannot connect now, too many connections, out of memory / disk, serialization failure,
// deadlock, lock not available, query canceled (statement timeout).
const TRANSIENT_SQLSTATE = /^(08...|57P0[1-4]|53...|40001|40P01|55P03|57014)$/;
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// pg reports a dropped connection and a full pool without a code.
const TRANSIENT_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Cannot use a pool after calling end/i;

// Deadlock, serialization failure, lock not available: the transaction lost a race for
// rows against another one; run alone again at once, it usually succeeds.
const LOCK_CONFLICT_SQLSTATE = new Set(['40P01', '40001', '55P03']);

/** A transaction that lost a lock race (retriable at once, as opposed to a dependency being down). */
export function isLockConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && LOCK_CONFLICT_SQLSTATE.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== err && isLockConflict(e.cause);
}

export function isRetriable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { retriable?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (typeof e.code === 'string' && (TRANSIENT_SQLSTATE.test(e.code) || TRANSIENT_ERRNO.has(e.code))) return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isRetriable(e.cause);
}
