// The page cursor of GET /v1/sagas: the list position of the last saga of a page,
// opaque to clients (base64url JSON), checked strictly when it comes back.
import type { SagaListPosition } from '../../persistence/saga-instance-query.repository';

const EXACT_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: SagaListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.sagaId]), 'utf8').toString('base64url');
}

/** The position in a cursor, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): SagaListPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, sagaId] = parsed as unknown[];
  if (typeof createdAt !== 'string' || !isExactUtc(createdAt) || typeof sagaId !== 'string' || !UUID.test(sagaId)) return undefined;
  return { createdAt, sagaId };
}

/** The shape alone lets 2026-02-30 through, which PostgreSQL refuses: the instant must also exist (Date rolls it over to March). */
function isExactUtc(text: string): boolean {
  if (!EXACT_UTC.test(text)) return false;
  const millis = `${text.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.toISOString() === millis;
}
