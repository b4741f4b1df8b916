// The SDK's own Prometheus registry (participant.metrics) after real commands over Kafka
// and a real barrier in PostgreSQL: a handler run, a duplicate answered from the barrier,
// a null compensation, a late execute refused (hanging), and the replies sent.
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { type ReplyMessage, topicNames } from '@saga-coordinator/participant/protocol';
import { sample } from '../../support/prometheus-text';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, testPool, uniqueName, type TestDatabase } from '../../support/test-infra';
import { command } from './support/barrier-fixture';
import { LEDGER_TABLE_SQL, ledgerParticipant } from './support/ledger-participant';
import { TopicProbe } from './support/topic-probe';


describe("the participant SDK's metrics", () => {
  const prefix = uniqueName('pmet');
  const topics = topicNames(prefix);
  let db: TestDatabase;
  let pool: Pool;
  const probe = new TopicProbe();

  beforeAll(async () => {
    db = await createTestDatabase('participant_metrics');
    pool = testPool(db.url, 2);
    await pool.query(LEDGER_TABLE_SQL);
    await probe.connect();
    await probe.watch([topics.replies]);
  });

  afterAll(async () => {
    await probe.close();
    await pool?.end();
    await db?.drop();
  });

  it('counts handler runs, duplicates, null compensations, refused hanging executes and replies', async () => {
    const name = uniqueName('pay').replace(/_/g, '-');
    const payments = ledgerParticipant({ name, kafka: { brokers: infraEnv().KAFKA_BROKERS.split(',') }, topicPrefix: prefix, database: { url: db.url }, topicPartitions: 1, logger: 'silent' });
    await payments.start();
    try {
      const applied = randomUUID();
      const undoneFirst = randomUUID();
      const execute = { ...command(applied, 'execute'), replyTopic: topics.replies };
      const commandTopic = topics.commands(name);
      await probe.publish(commandTopic, applied, JSON.stringify(execute));
      await probe.publish(commandTopic, applied, JSON.stringify(execute));
      // The compensation overtakes its execute: recorded as a null compensation; the execute is then refused.
      await probe.publish(commandTopic, undoneFirst, JSON.stringify({ ...command(undoneFirst, 'compensate'), replyTopic: topics.replies }));
      await probe.publish(commandTopic, undoneFirst, JSON.stringify({ ...command(undoneFirst, 'execute'), replyTopic: topics.replies }));
      const replies = await waitFor('four replies', async () => {
        const r = probe.json<ReplyMessage>(topics.replies).filter((m) => m.sagaId === applied || m.sagaId === undoneFirst);
        return r.length >= 4 ? r : undefined;
      });
      const refused = replies.find((r) => r.sagaId === undoneFirst && r.action === 'execute')!;

      const text = await payments.metrics!.metrics();
      expect(sample(text, 'saga_participant_handler_duration_seconds_count', { participant: name, command_type: 'credit.reserve', action: 'execute', outcome: 'success' })).toBe(1);
      // Neither the duplicate, nor the null compensation, nor the refused execute ran a handler.
      expect(sample(text, 'saga_participant_handler_duration_seconds_count', { participant: name, command_type: 'credit.release', action: 'compensate', outcome: 'success' })).toBeUndefined();
      expect(sample(text, 'saga_participant_barrier_duplicates_total', { participant: name, action: 'execute' })).toBe(1);
      expect(sample(text, 'saga_participant_null_compensations_total', { participant: name })).toBe(1);
      expect(sample(text, 'saga_participant_hanging_refused_total', { participant: name })).toBe(1);
      expect(sample(text, 'saga_participant_replies_sent_total', { participant: name, action: 'execute', outcome: 'success' })).toBe(2);
      expect(sample(text, 'saga_participant_replies_sent_total', { participant: name, action: 'compensate', outcome: 'success' })).toBe(1);
      expect(sample(text, 'saga_participant_replies_sent_total', { participant: name, action: 'execute', outcome: refused.outcome })).toBe(1);
      expect(payments.metrics!.contentType).toMatch(/^text\/plain/);
    } finally {
      await payments.stop();
    }
  });
});
