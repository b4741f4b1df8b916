// One saga that cannot be decided (here: a corrupted state row) is quarantined — marked as
// needing an operator with the error, its reply dead-lettered — and everything else flows:
// the partition moves on, other sagas' replies and timers are applied.
import request from 'supertest';
import { SagaQueryService } from '../../../src/api/sagas/saga-query.service';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { CoordinatorHarness, startCoordinatorHarness } from '../../support/coordinator-harness';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { infraEnv, uniqueName } from '../../support/test-infra';

describe('quarantine of a saga that cannot be decided', () => {
  let h: CoordinatorHarness;

  beforeAll(async () => {
    h = await startCoordinatorHarness(['q-orders', 'q-payments']);
  });

  afterAll(async () => {
    await h?.close();
  });

  const definition = (name: string, timeoutMs: number): SagaDefinition => ({
    name,
    steps: [
      { name: 'create', participant: 'q-orders', command: 'order.create', compensation: 'order.cancel', timeoutMs },
      { name: 'charge', participant: 'q-payments', command: 'payment.charge', compensation: 'payment.refund', timeoutMs, retry: { maxAttempts: 5, initialBackoffMs: 50, maxBackoffMs: 50, minRetryWindowMs: 0 } },
    ],
  });

  async function corrupt(sagaId: string): Promise<void> {
    await h.pool.query(`update saga_instances set state = jsonb_set(state, '{steps,charge,status}', '"BOGUS"') where saga_id = $1`, [sagaId]);
  }

  it('quarantines the saga whose reply cannot be decided, dead-letters that reply, and keeps applying the others', async () => {
    const name = uniqueName('quar').replace(/_/g, '-');
    await h.definitions.register(definition(name, 30_000));
    // The charge commands are answered by hand, once the first saga's row is corrupted.
    h.participants.on(name, (cmd) => (cmd.step === 'charge' ? 'drop' : { outcome: 'success' }));
    const sagas = await Promise.all(Array.from({ length: 6 }, (_, i) => h.engine.start({ definition: name, input: { i }, actor: 'test' }).then((r) => r.saga.sagaId)));
    const charges = await waitFor('every charge command to arrive', async () => {
      const found = sagas.map((id) => h.participants.commandsOf(id).find((c) => c.step === 'charge'));
      return found.every((c) => c !== undefined) ? found.map((c) => c!) : undefined;
    });
    const [bad, ...good] = sagas;
    await corrupt(bad);

    const dlq = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: uniqueName('q-dlq') });
    await dlq.connect();
    const deadLetters: { reason: string; key: string | null }[] = [];
    const sub = await dlq.subscribe({
      groupId: uniqueName('q-dlq'),
      topics: [topicNames(h.prefix).deadLetter],
      fromBeginning: true,
      handleBatch: async (messages) => {
        for (const m of messages) deadLetters.push({ reason: JSON.parse(m.value!.toString()).reason, key: m.key });
      },
    });
    try {
      for (const cmd of charges) await h.participants.sendRaw(JSON.stringify(h.participants.reply(cmd, { outcome: 'success' })), cmd.sagaId);
      for (const sagaId of good) expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
      expect(await waitForSagaStatus(h.pool, bad, ['FAILED'])).toBe('FAILED');

      const view = await h.app.get(SagaQueryService).get(bad);
      expect(view.quarantine).toMatchObject({ code: 'CORRUPT_STATE', eventType: 'StepReplied', message: expect.stringContaining('unknown status "BOGUS"') });
      expect(view.history.at(-1)).toMatchObject({ eventType: 'StepReplied', verdict: 'quarantined', code: 'CORRUPT_STATE' });
      // An operator action other than resume is refused with the quarantine's own code, not a 500.
      const cancel = await request(h.app.getHttpServer()).post(`/v1/sagas/${bad}/cancel`).send({ reason: 'give up' });
      expect({ status: cancel.status, code: cancel.body.code, sagaId: cancel.body.sagaId }).toEqual({ status: 409, code: 'SAGA_QUARANTINED', sagaId: bad });
      const dead = await waitFor('the reply to be dead-lettered', async () => deadLetters.find((d) => d.key === bad));
      expect(dead.reason).toMatch(/^SAGA_QUARANTINED: /);
      const stored = await h.pool.query("select reason_code from dead_letters where message_key = $1", [bad]);
      expect(stored.rows).toEqual([{ reason_code: 'SAGA_QUARANTINED' }]);

      // Later sagas still flow through the same partitions.
      h.participants.on(name, () => ({ outcome: 'success' }));
      const later = (await h.engine.start({ definition: name, input: { later: true }, actor: 'test' })).saga.sagaId;
      expect(await waitForSagaStatus(h.pool, later, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    } finally {
      await sub.stop();
      await dlq.disconnect();
    }
  });

  it('quarantines a saga whose due timer cannot be decided, and the other timers still fire', async () => {
    const name = uniqueName('quart').replace(/_/g, '-');
    await h.definitions.register(definition(name, 400));
    // charge never answers its first attempt: every saga's attempt timer comes due.
    h.participants.on(name, (cmd) => (cmd.step === 'charge' && cmd.attempt === 1 ? 'drop' : { outcome: 'success' }));
    const sagas = await Promise.all(Array.from({ length: 4 }, (_, i) => h.engine.start({ definition: name, input: { i }, actor: 'test' }).then((r) => r.saga.sagaId)));
    await waitFor('every first charge attempt to be sent', async () => (sagas.every((id) => h.participants.commandsOf(id).some((c) => c.step === 'charge')) ? true : undefined));
    const [bad, ...good] = sagas;
    await corrupt(bad);
    for (const sagaId of good) expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    expect(await waitForSagaStatus(h.pool, bad, ['FAILED'])).toBe('FAILED');
    const view = await h.app.get(SagaQueryService).get(bad);
    expect(view.quarantine).toMatchObject({ code: 'CORRUPT_STATE', eventType: 'timer' });
    // Parked: a quarantined saga's timers are not polled again.
    const due = await h.pool.query('select 1 from saga_instances where saga_id = $1 and next_due_at is not null', [bad]);
    expect(due.rowCount).toBe(0);
  });
});
