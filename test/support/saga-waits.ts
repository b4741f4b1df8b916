// Waiting for sagas to reach a status, by reading the coordinator's database as a user would.
import type { Pool } from 'pg';

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function sagaStatus(pool: Pool, sagaId: string): Promise<string | undefined> {
  const res = await pool.query<{ status: string }>('select status from saga_instances where saga_id = $1', [sagaId]);
  return res.rows[0]?.status;
}

export async function waitForSagaStatus(pool: Pool, sagaId: string, statuses: string[], timeoutMs = 30_000): Promise<string> {
  return waitFor(
    `saga ${sagaId} to reach ${statuses.join('|')}`,
    async () => {
      const s = await sagaStatus(pool, sagaId);
      return s !== undefined && statuses.includes(s) ? s : undefined;
    },
    timeoutMs,
  );
}
