// GET /v1/participants after real sagas: what the coordinator sent each participant, what
// came back and when, the attempts that timed out, and Kafka's view of its command
// topic's consumer group (members, lag) with a status; one nobody consumes says so.
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, startApiTestApp, uniqueDefinitionName } from './support/api-test-app';

interface ParticipantView {
  name: string;
  commandTopic: string;
  commandsSent: number;
  repliesReceived: number;
  lastReplyAt: string | null;
  attemptsTimedOutRecently: number;
  consumerGroup: { groupId: string | null; members: number; lag: number };
  status: string;
  breaker: unknown;
}

describe('GET /v1/participants', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    // The scripted participants consume orders and payments; nobody consumes stock.
    api = await startApiTestApp(['orders', 'payments']);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('shows commands sent, replies, timeouts, the consumer group and a status per participant', async () => {
    const name = uniqueDefinitionName('who-is-alive');
    const retry = { maxAttempts: 2, initialBackoffMs: 50, maxBackoffMs: 50, multiplier: 1, jitter: 0, minRetryWindowMs: 0 };
    await api.as('admin').post('/v1/definitions', {
      name,
      steps: [
        { name: 'create', participant: 'orders', command: 'order.create', compensation: 'order.cancel', timeoutMs: 800, retry },
        { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', timeoutMs: 800, retry },
        { name: 'reserve', participant: 'stock', command: 'stock.reserve', timeoutMs: 800, retry },
      ],
    }).expect(201);
    // The charge's first attempt is not answered: it times out and is retried.
    api.h.participants.on(name, (cmd, seen) => (cmd.step === 'charge' && cmd.attempt === 1 && seen === 1 ? 'drop' : { outcome: 'success', output: { ok: true } }));
    const started = await api.as('operator').post('/v1/sagas', { definition: name, input: {} }).set('Idempotency-Key', name).expect(201);
    const sagaId = started.body.sagaId as string;
    await waitFor('the reserve command sent', async () => ((await api.h.pool.query("select 1 from step_attempts where saga_id = $1 and step = 'reserve'", [sagaId])).rowCount ? true : undefined));

    const list = await waitFor('every participant seen by Kafka', async () => {
      const items = (await api.as('viewer').get('/v1/participants').expect(200)).body.items as ParticipantView[];
      const stock = items.find((p) => p.name === 'stock');
      return items.length === 3 && items.every((p) => p.status !== 'unknown') && stock?.consumerGroup.lag === 1 ? items : undefined;
    });
    const [orders, payments, stock] = list;
    expect(list.map((p) => p.name)).toEqual(['orders', 'payments', 'stock']);
    expect(orders).toMatchObject({ commandsSent: 1, repliesReceived: 1, attemptsTimedOutRecently: 0, status: 'healthy', consumerGroup: { members: 1, lag: 0 }, breaker: null });
    expect(orders.commandTopic).toBe(`${api.h.prefix}.commands.orders`);
    expect(Date.parse(orders.lastReplyAt!)).toBeGreaterThan(Date.parse(started.body.createdAt) - 1000);
    expect(payments).toMatchObject({ commandsSent: 2, repliesReceived: 1, attemptsTimedOutRecently: 1, status: 'healthy', consumerGroup: { members: 1 } });
    expect(stock).toMatchObject({ commandsSent: 1, repliesReceived: 0, lastReplyAt: null, status: 'not-consuming', consumerGroup: { groupId: null, members: 0 } });
    expect(await waitForSagaStatus(api.h.pool, sagaId, ['RUNNING'])).toBe('RUNNING');
  });
});
