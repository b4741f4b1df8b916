// The SDK on real Kafka: what reaches the reply and dead-letter topics when commands are
// malformed, duplicated or of an unknown type; a participant without a database.
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { type ReplyMessage, topicNames } from '@saga-coordinator/participant/protocol';
import { Participant, REPLY_ERROR_CODES, success } from '@saga-coordinator/participant';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, testPool, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';
import { command } from './support/barrier-fixture';
import { LEDGER_TABLE_SQL, ledgerParticipant, ledgerRows } from './support/ledger-participant';
import { TopicProbe } from './support/topic-probe';

interface DeadLetter {
  reason: string;
  by: string;
  original: { value: string };
}

describe('participant SDK over real Kafka', () => {
  const prefix = uniqueName('psdk');
  const topics = topicNames(prefix);
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  let db: TestDatabase;
  let pool: Pool;
  const probe = new TopicProbe();
  const participants: Participant[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('participant_kafka');
    pool = testPool(db.url, 2);
    await pool.query(LEDGER_TABLE_SQL);
    await probe.connect();
    await probe.watch([topics.replies, topics.deadLetter]);
  });

  afterAll(async () => {
    for (const p of participants) await p.stop();
    await probe.close();
    await pool?.end();
    await db?.drop();
  });

  const replyTo = (sagaId: string) => probe.json<ReplyMessage>(topics.replies).filter((r) => r.sagaId === sagaId);

  it('dead-letters a malformed command and keeps going; applies a duplicate once and re-sends its reply; fails an unknown type', async () => {
    // One partition: the malformed message sits in front of the valid ones.
    const payments = ledgerParticipant({ kafka: { brokers }, topicPrefix: prefix, database: { url: db.url }, topicPartitions: 1, logger: 'silent' });
    participants.push(payments);
    await payments.start();
    const sagaId = randomUUID();
    const valid = { ...command(sagaId, 'execute'), replyTopic: topics.replies };
    const unknown = { ...command(sagaId, 'execute', 1, { step: 'teleport', commandType: 'credit.teleport' }), replyTopic: topics.replies };
    const commandTopic = topics.commands('payments');
    await probe.publish(commandTopic, sagaId, '{"protocolVersion": 1, "sagaId": "not json');
    await probe.publish(commandTopic, sagaId, JSON.stringify({ ...valid, action: 'undo' }));
    await probe.publish(commandTopic, sagaId, JSON.stringify(valid));
    await probe.publish(commandTopic, sagaId, JSON.stringify(valid));
    await probe.publish(commandTopic, sagaId, JSON.stringify(unknown));

    const replies = await waitFor('three replies', async () => (replyTo(sagaId).length >= 3 ? replyTo(sagaId) : undefined));
    const forValid = replies.filter((r) => r.correlationId === valid.messageId);
    expect(forValid).toHaveLength(2);
    expect(forValid[0]).toEqual(forValid[1]);
    expect(forValid[0]).toMatchObject({ outcome: 'success', output: { reservationId: expect.any(Number) } });
    expect(replies.find((r) => r.step === 'teleport')).toMatchObject({ outcome: 'failure', error: { code: REPLY_ERROR_CODES.unknownCommandType } });
    expect(await ledgerRows(pool, sagaId)).toHaveLength(1);

    const dead = await waitFor('two dead letters', async () => {
      const d = probe.json<DeadLetter>(topics.deadLetter).filter((m) => m.original.value.includes(sagaId) || m.original.value.includes('not json'));
      return d.length >= 2 ? d : undefined;
    });
    expect(dead.map((d) => d.by)).toEqual(['participant:payments', 'participant:payments']);
    expect(dead[0].reason).toMatch(/not valid JSON/);
    expect(dead[1].reason).toMatch(/\/action must be equal to one of the allowed values/);
  });

  it('dead-letters a command PostgreSQL cannot store (a NUL in its payload) instead of retrying it against the barrier table', async () => {
    const payments = ledgerParticipant({ name: 'payments-nul', kafka: { brokers }, topicPrefix: prefix, database: { url: db.url }, topicPartitions: 1, logger: 'silent' });
    participants.push(payments);
    await payments.start();
    const bad = randomUUID();
    const good = randomUUID();
    const commandTopic = topics.commands('payments-nul');
    // Raw text: the NUL arrives as the JSON escape \u0000, which decodes to a real NUL character.
    await probe.publish(commandTopic, bad, JSON.stringify({ ...command(bad, 'execute'), replyTopic: topics.replies, payload: { account: 'a\u0000b', amount: 5 } }));
    await probe.publish(commandTopic, good, JSON.stringify({ ...command(good, 'execute'), replyTopic: topics.replies }));

    // The command behind it on the same partition is handled: the partition did not stop.
    await waitFor('the reply to the valid command', async () => (replyTo(good).length > 0 ? true : undefined));
    const dead = await waitFor('the dead letter', async () => probe.json<DeadLetter>(topics.deadLetter).find((m) => m.original.value.includes(bad)));
    expect(dead).toMatchObject({ by: 'participant:payments-nul', reason: 'command message cannot be stored: payload.account contains a NUL character (U+0000)' });
    expect(replyTo(bad)).toEqual([]);
    expect((await pool.query('select count(*)::int as n from participant_barrier where saga_id = $1', [bad])).rows[0].n).toBe(0);
    expect(await ledgerRows(pool, bad)).toEqual([]);
  });

  it('runs a participant without a database: each delivery runs the handler again', async () => {
    let runs = 0;
    const notifier = new Participant({ name: 'notifier', kafka: { brokers }, topicPrefix: prefix, logger: 'silent' }).handle<{ to: string }, { sent: string }>({
      command: 'notify.send',
      async execute(input, ctx) {
        runs += 1;
        expect(() => ctx.tx).toThrow(expect.objectContaining({ code: 'NO_DATABASE' }));
        return success({ sent: input.to });
      },
    });
    participants.push(notifier);
    await notifier.start();
    const sagaId = randomUUID();
    const cmd = { ...command(sagaId, 'execute', 1, { step: 'notify', commandType: 'notify.send', payload: { to: 'c-1' } }), replyTopic: topics.replies };
    await probe.publish(topics.commands('notifier'), sagaId, JSON.stringify(cmd));
    await probe.publish(topics.commands('notifier'), sagaId, JSON.stringify(cmd));
    const replies = await waitFor('two replies', async () => (replyTo(sagaId).length >= 2 ? replyTo(sagaId) : undefined));
    expect(replies.map((r) => r.output)).toEqual([{ sent: 'c-1' }, { sent: 'c-1' }]);
    expect(replies[0].messageId).not.toBe(replies[1].messageId);
    expect(runs).toBe(2);
  });
});
