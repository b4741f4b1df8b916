// The order-fulfilment example end to end: the real coordinator, the four example
// participants (each with its own database) on real Kafka. Every failure mode must
// leave the business data consistent, as the demo's check and a user's queries see it.
import { migrateBusinessSchema } from '../../../examples/order-fulfilment/business-schema';
import { readBusinessSnapshot, type ParticipantPools } from '../../../examples/order-fulfilment/demo/business-snapshot';
import { checkConsistency } from '../../../examples/order-fulfilment/demo/consistency-check';
import type { FlakyCommand, Misbehaviour } from '../../../examples/order-fulfilment/flakiness';
import { PARTICIPANTS, type OrderInput, type ParticipantName } from '../../../examples/order-fulfilment/order';
import { placeOrder, type CoordinatorApi } from '../../../examples/order-fulfilment/initiator';
import { ORDER_FULFILMENT, orderFulfilmentSaga } from '../../../examples/order-fulfilment/order-fulfilment.saga';
import { startExampleParticipant, type RunningParticipant } from '../../../examples/order-fulfilment/participants/example-participant';
import { seedAccounts, seedStock } from '../../../examples/order-fulfilment/seed';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { createTestDatabase, testPool, infraEnv, type TestDatabase } from '../../support/test-infra';
import { startInProcessCoordinator, type InProcessCoordinator } from '../participant/support/coordinator';
import { TopicProbe } from '../participant/support/topic-probe';

const ENDED = ['COMPLETED', 'COMPENSATED', 'FAILED'];
const STEP_TIMEOUT_MS = 1_500;

describe('order fulfilment example (real coordinator, four participant databases)', () => {
  let c: InProcessCoordinator;
  const dbs = {} as Record<ParticipantName, TestDatabase>;
  const pools = {} as ParticipantPools;
  const running: RunningParticipant[] = [];
  const submitted: OrderInput[] = [];
  /** Misbehaviour per order id, consulted by the flaky participants (inventory, shipping). */
  const flaky = new Map<string, (cmd: FlakyCommand) => Misbehaviour>();
  const probe = new TopicProbe();
  let api: CoordinatorApi;

  beforeAll(async () => {
    c = await startInProcessCoordinator();
    for (const p of PARTICIPANTS) {
      dbs[p] = await createTestDatabase(`example_${p}`);
      pools[p] = testPool(dbs[p].url, 2);
      await migrateBusinessSchema(pools[p], p);
    }
    await seedAccounts(pools.payments, [
      { customerId: 'rich', credit: 1_000_000 },
      { customerId: 'poor', credit: 100 },
    ]);
    await seedStock(pools.inventory, [
      { sku: 'apple', price: 1, stock: 100 },
      { sku: 'truffle', price: 1, stock: 2 },
    ]);
    await c.definitions.register(orderFulfilmentSaga({ stepTimeoutMs: STEP_TIMEOUT_MS, maxAttempts: 3, minRetryWindowMs: 0 }));
    const policy = (cmd: FlakyCommand) => flaky.get(cmd.orderId)?.(cmd) ?? 'ok';
    const brokers = infraEnv().KAFKA_BROKERS.split(',');
    running.push(
      ...(await Promise.all(
        PARTICIPANTS.map((p) => startExampleParticipant(p, { kafka: { brokers }, topicPrefix: c.prefix, databaseUrl: dbs[p].url, flakiness: policy, logger: 'silent' })),
      )),
    );
    await probe.connect();
    await c.app.listen(0, '127.0.0.1');
    const address = c.app.getHttpServer().address() as { port: number };
    api = { baseUrl: `http://127.0.0.1:${address.port}` };
  });

  afterAll(async () => {
    await probe.close();
    for (const r of running) await r.stop();
    await c?.close();
    for (const p of PARTICIPANTS) {
      await pools[p]?.end();
      await dbs[p]?.drop();
    }
  });

  async function order(o: OrderInput): Promise<{ sagaId: string; status: string }> {
    submitted.push(o);
    const { saga } = await c.engine.start({ definition: ORDER_FULFILMENT, input: { ...o, lines: o.lines.map((l) => ({ ...l })) }, businessKey: o.orderId, actor: 'test' });
    return { sagaId: saga.sagaId, status: await waitForSagaStatus(c.pool, saga.sagaId, ENDED, 60_000) };
  }

  async function expectConsistent(): Promise<void> {
    const report = checkConsistency(submitted, await readBusinessSnapshot(c.pool, pools));
    expect(report.violations).toEqual([]);
  }

  const rows = async (p: ParticipantName, sql: string, params: unknown[]) => (await pools[p].query(sql, params)).rows;
  const attempts = async (sagaId: string, step: string) =>
    (await c.pool.query('select action, attempt, status from step_attempts where saga_id = $1 and step = $2 order by action desc, attempt', [sagaId, step])).rows;

  it('completes an order: confirmed, credit captured, stock committed, shipped once', async () => {
    const { sagaId, status } = await order({ orderId: 'ok-1', customerId: 'rich', lines: [{ sku: 'apple', quantity: 3 }], amount: 300 });
    expect(status).toBe('COMPLETED');
    expect(await rows('orders', 'select status, tracking_id from orders where order_id = $1', ['ok-1'])).toEqual([{ status: 'CONFIRMED', tracking_id: 'trk-ok-1' }]);
    expect(await rows('payments', 'select status, amount from credit_reservations where saga_id = $1', [sagaId])).toEqual([{ status: 'CAPTURED', amount: '300' }]);
    expect(await rows('inventory', 'select sku, quantity, status from stock_reservations where saga_id = $1', [sagaId])).toEqual([{ sku: 'apple', quantity: '3', status: 'COMMITTED' }]);
    expect(await rows('shipping', 'select order_id from shipments where saga_id = $1', [sagaId])).toHaveLength(1);
    await expectConsistent();
  });

  it('insufficient credit: compensated, the stock reserved in parallel is released, the order cancelled', async () => {
    const { sagaId, status } = await order({ orderId: 'poor-1', customerId: 'poor', lines: [{ sku: 'apple', quantity: 2 }], amount: 5_000 });
    expect(status).toBe('COMPENSATED');
    expect(await rows('orders', 'select status from orders where order_id = $1', ['poor-1'])).toEqual([{ status: 'CANCELLED' }]);
    expect(await rows('payments', 'select available from accounts where customer_id = $1', ['poor'])).toEqual([{ available: '100' }]);
    expect(await rows('payments', 'select * from credit_reservations where saga_id = $1', [sagaId])).toEqual([]);
    const stock = await rows('inventory', 'select status from stock_reservations where saga_id = $1', [sagaId]);
    expect(stock.every((r) => r.status === 'RELEASED')).toBe(true);
    await expectConsistent();
  });

  it('out of stock on the second line: compensated, the first line rolled back with it, the credit released', async () => {
    const { sagaId, status } = await order({ orderId: 'truffles-1', customerId: 'rich', lines: [{ sku: 'apple', quantity: 1 }, { sku: 'truffle', quantity: 5 }], amount: 700 });
    expect(status).toBe('COMPENSATED');
    const failed = await c.pool.query("select error->>'code' as code from step_attempts where saga_id = $1 and step = 'reserveStock' and status = 'FAILED'", [sagaId]);
    expect(failed.rows).toEqual([{ code: 'OUT_OF_STOCK' }]);
    expect(await rows('inventory', 'select * from stock_reservations where saga_id = $1', [sagaId])).toEqual([]); // the apple line was rolled back too
    expect(await rows('inventory', 'select sku, available from stock order by sku', [])).toEqual([
      { sku: 'apple', available: '97' },
      { sku: 'truffle', available: '2' },
    ]);
    const credit = await rows('payments', 'select status from credit_reservations where saga_id = $1', [sagaId]);
    expect(credit.every((r) => r.status === 'RELEASED')).toBe(true);
    await expectConsistent();
  });

  it('a slow inventory that applies after the deadline: its late success settles the step (or the retry is answered from the barrier), stock reserved once', async () => {
    flaky.set('slow-1', (cmd) => (cmd.step === 'reserveStock' && cmd.attempt === 1 ? 'slow' : 'ok'));
    const { sagaId, status } = await order({ orderId: 'slow-1', customerId: 'rich', lines: [{ sku: 'apple', quantity: 2 }], amount: 200 });
    expect(status).toBe('COMPLETED');
    // Attempt 1 timed out, then its late success came; whichever answer came first settled the step,
    // a retry sent meanwhile was answered by the barrier with the same outcome, or nobody needed it any more.
    const tried = await attempts(sagaId, 'reserveStock');
    expect(tried[0]).toEqual({ action: 'execute', attempt: 1, status: 'SUCCEEDED' });
    expect(tried.slice(1).every((a) => a.attempt === 2 && ['SUCCEEDED', 'ABANDONED'].includes(a.status))).toBe(true);
    expect(await rows('inventory', 'select quantity, status from stock_reservations where saga_id = $1', [sagaId])).toEqual([{ quantity: '2', status: 'COMMITTED' }]);
    await expectConsistent();
  });

  it('an inventory that stalls on every attempt: compensated with a null compensation, and a late execute is refused', async () => {
    flaky.set('stall-1', (cmd) => (cmd.step === 'reserveStock' ? 'stall' : 'ok'));
    const input = { orderId: 'stall-1', customerId: 'rich', lines: [{ sku: 'apple', quantity: 4 }], amount: 400 };
    const { sagaId, status } = await order(input);
    expect(status).toBe('COMPENSATED');
    // Each attempt failed without effect: timed out, or, when its stalled handler's retry answer was
    // applied before the timeout fired (timeouts wait for the replies already produced), RETRY_REQUESTED.
    const failedAttempt = (n: number) => new RegExp(`^execute#${n}:(TIMED_OUT|RETRY_REQUESTED)$`);
    const tried = (await attempts(sagaId, 'reserveStock')).map((a) => `${a.action}#${a.attempt}:${a.status}`);
    expect(tried).toEqual([expect.stringMatching(failedAttempt(1)), expect.stringMatching(failedAttempt(2)), expect.stringMatching(failedAttempt(3)), 'compensate#1:SUCCEEDED']);
    expect(await rows('inventory', 'select action, state from participant_barrier where saga_id = $1 order by action', [sagaId])).toEqual([
      { action: 'compensate', state: 'NULL' },
      { action: 'execute', state: 'BLOCKED' },
    ]);

    // The first execute, delivered again late (a redelivery after a participant crash, say): refused, nothing reserved.
    flaky.delete('stall-1');
    const late = {
      protocolVersion: 1,
      messageId: `${sagaId}:reserveStock:execute:1`,
      sagaId,
      definition: { name: ORDER_FULFILMENT, version: 1 },
      step: 'reserveStock',
      action: 'execute',
      attempt: 1,
      commandType: 'stock.reserve',
      replyTopic: topicNames(c.prefix).replies,
      deadlineAt: new Date(Date.now() + 60_000).toISOString(),
      payload: { orderId: input.orderId, lines: input.lines },
    };
    await probe.publish(topicNames(c.prefix).commands('inventory'), sagaId, JSON.stringify(late));
    const refusal = await waitFor('the late execute to be answered', async () => {
      const r = await c.pool.query("select event from saga_history where saga_id = $1 and verdict = 'ignored' and event::text like '%STEP_ALREADY_COMPENSATED%'", [sagaId]);
      return r.rows[0]?.event;
    });
    expect(refusal).toMatchObject({ outcome: 'failure', step: 'reserveStock', attempt: 1 });
    expect(await rows('inventory', 'select * from stock_reservations where saga_id = $1', [sagaId])).toEqual([]);
    expect(await rows('payments', 'select status from credit_reservations where saga_id = $1', [sagaId])).toEqual([{ status: 'RELEASED' }]);
    await expectConsistent();
  });

  it('shipping times out twice after the pivot: retried until it ships exactly once', async () => {
    flaky.set('ship-1', (cmd) => (cmd.step !== 'scheduleShipment' ? 'ok' : cmd.attempt === 1 ? 'stall' : cmd.attempt === 2 ? 'slow' : 'ok'));
    const { sagaId, status } = await order({ orderId: 'ship-1', customerId: 'rich', lines: [{ sku: 'apple', quantity: 1 }], amount: 100 });
    expect(status).toBe('COMPLETED');
    // Attempt 1 stalled (no answer ever); attempt 2 answered late, and that success settled the step unless attempt 3 answered first.
    const statuses = (await attempts(sagaId, 'scheduleShipment')).map((a) => a.status);
    expect(statuses.slice(0, 2)).toEqual(['TIMED_OUT', 'SUCCEEDED']);
    expect(statuses.slice(2).every((st) => st === 'SUCCEEDED' || st === 'ABANDONED')).toBe(true);
    expect(await rows('shipping', 'select order_id from shipments where saga_id = $1', [sagaId])).toEqual([{ order_id: 'ship-1' }]);
    await expectConsistent();
  });

  it("the initiator places orders over the REST API and waits for each order's outcome: its tracking id, or why it was compensated", async () => {
    const good = { orderId: 'api-1', customerId: 'rich', lines: [{ sku: 'apple', quantity: 1 }], amount: 100 };
    const broke = { orderId: 'api-2', customerId: 'poor', lines: [{ sku: 'apple', quantity: 1 }], amount: 9_000 };
    submitted.push(good, broke);
    expect(await placeOrder(api, good, { waitS: 20 })).toMatchObject({ orderId: 'api-1', status: 'COMPLETED', trackingId: 'trk-api-1' });
    expect(await placeOrder(api, broke, { waitS: 20 })).toMatchObject({ orderId: 'api-2', status: 'COMPENSATED', reason: expect.stringContaining('reserveCredit') });
    // Placing the same order again (a retry by the caller) answers the same saga, starting nothing new.
    const again = await placeOrder(api, good, { waitS: 20 });
    expect(again).toMatchObject({ status: 'COMPLETED', trackingId: 'trk-api-1' });
    expect((await c.pool.query("select count(*)::int as n from saga_instances where business_key = 'api-1'")).rows[0].n).toBe(1);
    await expectConsistent();
  });

  it('one order at a time per customer: a second order of the customer waits QUEUED and runs after the first', async () => {
    const orders = [1, 2, 3].map((n) => ({ orderId: `serial-${n}`, customerId: 'rich', lines: [{ sku: 'apple', quantity: 1 }], amount: 10 }));
    submitted.push(...orders);
    const outcomes = await Promise.all(orders.map((o) => placeOrder(api, o, { waitS: 30 })));
    expect(outcomes.map((o) => o.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    const rows = await c.pool.query<{ first_sent: Date; finished_at: Date }>(
      `select min(a.sent_at) as first_sent, i.finished_at from saga_instances i join step_attempts a using (saga_id)
        where i.business_key like 'serial-%' group by i.saga_id, i.finished_at, i.queue_seq order by i.queue_seq`,
    );
    expect(rows.rowCount).toBe(3);
    for (let i = 1; i < rows.rows.length; i++) expect(rows.rows[i].first_sent.getTime()).toBeGreaterThanOrEqual(rows.rows[i - 1].finished_at.getTime());
    await expectConsistent();
  });
});
