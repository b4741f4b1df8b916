// The order service's side of the example: it places an order by starting the saga over
// the REST API and waits for the outcome in the same request (POST /v1/sagas?wait=…),
// polling the result resource if the wait runs out. The order id is the idempotency key:
// a retried placement (a timeout, a crash of the caller) never starts a second saga.
import type { OrderInput } from './order';
import { ORDER_FULFILMENT } from './order-fulfilment.saga';

export interface CoordinatorApi {
  /** e.g. http://localhost:3000 */
  baseUrl: string;
  /** An operator key (Authorization: Bearer); omit when the coordinator runs with API_AUTH=disabled. */
  apiKey?: string;
}

export type OrderOutcome =
  | { orderId: string; sagaId: string; status: 'COMPLETED'; trackingId: string | null }
  | { orderId: string; sagaId: string; status: 'COMPENSATED'; reason: string }
  | { orderId: string; sagaId: string; status: 'FAILED' | 'PENDING'; reason: string };

interface SagaResult {
  sagaId: string;
  status: string;
  settled: boolean;
  output?: { orderId?: string; trackingId?: string | null } | null;
  reason?: { message: string };
  escalation?: { steps: string[] };
}

/**
 * Places `order` and returns its outcome once the saga settles, or PENDING after `maxWaitS`
 * (it goes on; ask again with the same order). Each request waits at most `waitS`
 * (at most the coordinator's API_MAX_WAIT_MS).
 */
export async function placeOrder(api: CoordinatorApi, order: OrderInput, options: { waitS?: number; maxWaitS?: number } = {}): Promise<OrderOutcome> {
  const waitS = options.waitS ?? 10;
  const deadline = Date.now() + (options.maxWaitS ?? 60) * 1_000;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': `order-${order.orderId}` };
  if (api.apiKey !== undefined) headers.Authorization = `Bearer ${api.apiKey}`;
  let res = await fetch(`${api.baseUrl}/v1/sagas?wait=${waitS}s`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ definition: ORDER_FULFILMENT, input: order, businessKey: order.orderId }),
  });
  for (;;) {
    if (res.status !== 200 && res.status !== 202) throw new Error(`placing order ${order.orderId}: HTTP ${res.status} ${await res.text()}`);
    const result = (await res.json()) as SagaResult;
    if (result.settled || Date.now() >= deadline) return outcome(order.orderId, result);
    // Still running (a participant is slow, or the order waits behind another of its customer): ask again.
    res = await fetch(`${api.baseUrl}${res.headers.get('location') ?? `/v1/sagas/${result.sagaId}/result`}?wait=${waitS}s`, { headers });
  }
}

function outcome(orderId: string, r: SagaResult): OrderOutcome {
  if (r.status === 'COMPLETED') return { orderId, sagaId: r.sagaId, status: 'COMPLETED', trackingId: r.output?.trackingId ?? null };
  if (r.status === 'COMPENSATED') return { orderId, sagaId: r.sagaId, status: 'COMPENSATED', reason: r.reason?.message ?? 'compensated' };
  if (r.status === 'FAILED') return { orderId, sagaId: r.sagaId, status: 'FAILED', reason: `needs an operator: ${r.escalation?.steps.join(', ') ?? 'see the saga'}` };
  return { orderId, sagaId: r.sagaId, status: 'PENDING', reason: `still ${r.status}` };
}
