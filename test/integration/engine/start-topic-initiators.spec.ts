// What a start-topic initiator gets of issue 13, against real Kafka and PostgreSQL: its own
// concurrency key on the start request, a dead letter with a stable code for a deprecated
// version, and the saga's output with its idempotency key on saga.completed.
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames, type LifecycleEventMessage } from '@saga-coordinator/participant/protocol';
import { CoordinatorHarness, startCoordinatorHarness } from '../../support/coordinator-harness';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { infraEnv, uniqueName } from '../../support/test-infra';

describe('start-topic initiators', () => {
  let h: CoordinatorHarness;
  let bus: KafkaBus;
  const events: LifecycleEventMessage[] = [];
  let stopEvents: () => Promise<void>;
  const name = uniqueName('topic-init').replace(/_/g, '-');
  // While set, commands of sagas whose input asks for it are not answered: the saga holds its key.
  let hold = true;

  beforeAll(async () => {
    h = await startCoordinatorHarness(['books']);
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'topic-initiator' });
    await bus.connect();
    const sub = await bus.subscribe({
      groupId: uniqueName('events-reader'),
      topics: [topicNames(h.prefix).events],
      fromBeginning: true,
      handleBatch: async (messages) => {
        for (const m of messages) events.push(JSON.parse(m.value!.toString()) as LifecycleEventMessage);
      },
    });
    stopEvents = () => sub.stop();
    h.participants.on(name, (cmd) => (hold && (cmd.payload as { hold?: boolean }).hold ? 'drop' : { outcome: 'success', output: { booked: cmd.sagaId } }));
    const step = { name: 'book', participant: 'books', command: 'book.do', compensation: 'book.undo', timeoutMs: 1_000, retry: { initialBackoffMs: 50, maxBackoffMs: 100 } };
    await h.definitions.register({ name, output: { booking: '$.steps.book.output.booked' }, steps: [step] });
    await h.definitions.register({ name, description: 'v2', output: { booking: '$.steps.book.output.booked' }, steps: [step] });
  });

  afterAll(async () => {
    await stopEvents?.();
    await bus?.disconnect();
    await h?.close();
  });

  const publish = (starts: object[]) =>
    bus.publish(starts.map((s) => ({ topic: topicNames(h.prefix).start, key: (s as { idempotencyKey: string }).idempotencyKey, value: JSON.stringify({ protocolVersion: 1, definition: name, ...s }) })));
  const sagaOf = (key: string) =>
    waitFor(`saga ${key}`, async () => (await h.pool.query<{ saga_id: string; status: string }>('select saga_id, status from saga_instances where idempotency_key = $1', [key])).rows[0]);

  it("queues by the start request's own concurrency key, and carries the output and idempotency key on saga.completed", async () => {
    const k1 = uniqueName('k');
    const k2 = uniqueName('k');
    await publish([{ idempotencyKey: k1, input: { hold: true }, concurrencyKey: 'shelf-9' }]);
    const first = await sagaOf(k1);
    await publish([{ idempotencyKey: k2, input: {}, concurrencyKey: 'shelf-9' }]);
    const second = await sagaOf(k2);
    expect(second.status).toBe('QUEUED');
    hold = false;
    expect(await waitForSagaStatus(h.pool, first.saga_id, ['COMPLETED'])).toBe('COMPLETED');
    expect(await waitForSagaStatus(h.pool, second.saga_id, ['COMPLETED'])).toBe('COMPLETED');
    const completed = await waitFor('saga.completed of the second', async () => events.find((e) => e.sagaId === second.saga_id && e.eventType === 'saga.completed'));
    expect(completed).toMatchObject({ idempotencyKey: k2, data: { output: { booking: second.saga_id } } });
    const started = events.filter((e) => e.sagaId === second.saga_id && e.eventType === 'step.started');
    expect(started).toEqual([expect.objectContaining({ step: 'book', data: { action: 'execute' } })]);
  });

  it('dead-letters a start that names a deprecated version with DEFINITION_VERSION_DEPRECATED, and starts one without a version on the latest live version', async () => {
    await h.definitions.deprecate(name, 2);
    const refused = uniqueName('k');
    const moved = uniqueName('k');
    await publish([{ idempotencyKey: refused, version: 2, input: {} }, { idempotencyKey: moved, input: {} }]);
    const saga = await sagaOf(moved);
    expect((await h.pool.query('select definition_version from saga_instances where saga_id = $1', [saga.saga_id])).rows[0].definition_version).toBe(1);
    const dead = await waitFor('the dead letter', async () => (await h.pool.query<{ reason_code: string; reason: string }>("select reason_code, reason from dead_letters where reason_code = 'DEFINITION_VERSION_DEPRECATED'")).rows[0]);
    expect(dead.reason).toContain('is deprecated');
    expect((await h.pool.query('select 1 from saga_instances where idempotency_key = $1', [refused])).rowCount).toBe(0);
  });
});
