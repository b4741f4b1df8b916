// LIFECYCLE_EVENTS=saga.*: a saga that compensates publishes its outcome events only, and
// its history still records every step (nothing decided differently, only less on Kafka).
import { topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { CoordinatorHarness, startCoordinatorHarness } from '../../support/coordinator-harness';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { infraEnv, uniqueName } from '../../support/test-infra';

describe('LIFECYCLE_EVENTS=saga.*', () => {
  let h: CoordinatorHarness;

  beforeAll(async () => {
    h = await startCoordinatorHarness(['lev-orders', 'lev-stock'], { LIFECYCLE_EVENTS: 'saga.*' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('publishes only the saga events, and every step is still in the history', async () => {
    const def: SagaDefinition = {
      name: uniqueName('lev').replace(/_/g, '-'),
      steps: [
        { name: 'create', participant: 'lev-orders', command: 'order.create', compensation: 'order.cancel' },
        { name: 'reserve', participant: 'lev-stock', command: 'stock.reserve', compensation: 'stock.release' },
      ],
    };
    h.participants.on(def.name, (cmd) => (cmd.step === 'reserve' ? { outcome: 'failure', error: { message: 'no stock' } } : { outcome: 'success' }));
    const reader = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'lev-reader' });
    await reader.connect();
    const events: { eventType: string; sagaId: string }[] = [];
    const sub = await reader.subscribe({
      groupId: uniqueName('lev-events'),
      topics: [topicNames(h.prefix).events],
      fromBeginning: true,
      handleBatch: async (ms) => {
        events.push(...ms.map((m) => JSON.parse(m.value!.toString()) as { eventType: string; sagaId: string }));
      },
    });
    try {
      await h.definitions.register(def);
      const { saga } = await h.engine.start({ definition: def.name, input: {}, actor: 'test' });
      expect(await waitForSagaStatus(h.pool, saga.sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPENSATED');
      await waitFor('the saga.compensated event', async () => (events.some((e) => e.sagaId === saga.sagaId && e.eventType === 'saga.compensated') ? true : undefined));
      // A later event would have arrived with saga.compensated (one outbox batch, one partition).
      expect(events.filter((e) => e.sagaId === saga.sagaId).map((e) => e.eventType)).toEqual(['saga.started', 'saga.compensating', 'saga.compensated']);
      const history = await h.pool.query<{ event_type: string }>("select event_type from saga_history where saga_id = $1 and verdict = 'applied' order by id", [saga.sagaId]);
      expect(history.rows.map((r) => r.event_type)).toEqual(['SagaStarted', 'StepReplied', 'StepReplied', 'StepReplied']);
    } finally {
      await sub.stop();
      await reader.disconnect();
    }
  });
});
