// The real coordinator for API tests (real PostgreSQL and Kafka, scripted participants),
// with one API key per role configured through API_KEYS, as a user would.
import request from 'supertest';
import type { SagaDefinition } from '../../../../src/core/saga-definition';
import { CoordinatorHarness, startCoordinatorHarness } from '../../../support/coordinator-harness';
import { uniqueName } from '../../../support/test-infra';

export type Role = 'viewer' | 'operator' | 'admin';

/** One key per role; the names are what saga history records as actors. */
export const KEYS: Record<Role, { name: string; key: string }> = {
  viewer: { name: 'test-viewer', key: 'viewer-key-0123456789abcdef' },
  operator: { name: 'ops-alice', key: 'operator-key-0123456789abcdef' },
  admin: { name: 'admin-bob', key: 'admin-key-0123456789abcdef' },
};

export const API_KEYS_ENV = (Object.keys(KEYS) as Role[]).map((role) => `${KEYS[role].name}:${role}:${KEYS[role].key}`).join(',');

export interface ApiTestApp {
  h: CoordinatorHarness;
  http: ReturnType<typeof request>;
  /** Requests authenticated with the key of a role. */
  as(role: Role): RoleClient;
  close(): Promise<void>;
}

export interface RoleClient {
  get(path: string): request.Test;
  post(path: string, body?: object): request.Test;
  delete(path: string): request.Test;
}

export async function startApiTestApp(participants: string[] = [], env: Record<string, string> = {}): Promise<ApiTestApp> {
  const h = await startCoordinatorHarness(participants, { API_KEYS: API_KEYS_ENV, ...env });
  // Listening once: supertest would otherwise listen per request, which parallel requests cannot share.
  await h.app.listen(0, '127.0.0.1');
  const http = request(h.app.getHttpServer());
  const as = (role: Role): RoleClient => {
    const auth = { Authorization: `Bearer ${KEYS[role].key}` };
    return {
      get: (path) => http.get(path).set(auth),
      post: (path, body) => (body === undefined ? http.post(path).set(auth) : http.post(path).set(auth).send(body)),
      delete: (path) => http.delete(path).set(auth),
    };
  };
  return { h, http, as, close: () => h.close() };
}

/** A definition name no other test uses. */
export function uniqueDefinitionName(prefix: string): string {
  return uniqueName(prefix).replace(/_/g, '-');
}

// Count-only retries (no minimum window), so tests that exhaust attempts finish in milliseconds.
const FAST = { retry: { maxAttempts: 2, initialBackoffMs: 50, maxBackoffMs: 100, multiplier: 2, jitter: 0, minRetryWindowMs: 0 }, timeoutMs: 5_000 };

/** Three compensatable steps over three participants. */
export function orderDefinition(name = uniqueDefinitionName('order'), extra: Partial<SagaDefinition> = {}): SagaDefinition {
  return {
    name,
    minCompensationWindowMs: 0,
    steps: [
      { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel', ...FAST },
      { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', ...FAST },
      { name: 'reserve', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release', ...FAST },
    ],
    ...extra,
  };
}
