// The barrier against a real PostgreSQL: duplicates, concurrent duplicates, null
// compensation, hanging actions, business failures and retries — checked on the
// business table a user would look at, and on the replies the coordinator would get.
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { REPLY_ERROR_CODES } from '@saga-coordinator/participant';
import { BarrierFixture, command, startBarrierFixture } from './support/barrier-fixture';

describe('participant barrier (real PostgreSQL)', () => {
  let f: BarrierFixture;

  beforeAll(async () => {
    f = await startBarrierFixture();
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(() => {
    f.calls.execute = 0;
    f.calls.compensate = 0;
    f.calls.compensatedWith.length = 0;
    f.logs.length = 0;
  });

  it('applies a duplicate command once and re-sends the very same reply', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    const first = await p.process(command(sagaId, 'execute'));
    const second = await p.process(command(sagaId, 'execute'));
    expect(first).toMatchObject({ outcome: 'success', correlationId: `${sagaId}:reserveCredit:execute:1`, output: { reservationId: expect.any(Number) } });
    expect(second).toEqual(first);
    expect(await f.ledger(sagaId)).toEqual([{ kind: 'reserve', amount: 40 }]);
    expect(f.calls.execute).toBe(1);
  });

  it('answers a later attempt of an applied execute with the recorded output, as a new reply to that attempt', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    const first = await p.process(command(sagaId, 'execute', 1));
    const again = await p.process(command(sagaId, 'execute', 2));
    const againResent = await p.process(command(sagaId, 'execute', 2));
    expect(again).toMatchObject({ outcome: 'success', attempt: 2, correlationId: `${sagaId}:reserveCredit:execute:2`, output: first!.output });
    expect(again!.messageId).not.toBe(first!.messageId);
    expect(againResent!.messageId).toBe(again!.messageId);
    expect(await f.ledger(sagaId)).toHaveLength(1);
  });

  it('applies two concurrent deliveries of the same command once', async () => {
    const sagaId = randomUUID();
    f.behaviour.set(sagaId, 'slow'); // holds its transaction open while the duplicate arrives
    const p = f.processor();
    const replies = await Promise.all([p.process(command(sagaId, 'execute')), p.process(command(sagaId, 'execute')), p.process(command(sagaId, 'execute', 2))]);
    expect(replies.map((r) => r!.outcome)).toEqual(['success', 'success', 'success']);
    expect(replies[0]).toEqual(replies[1]);
    expect(replies[2]!.output).toEqual(replies[0]!.output);
    expect(await f.ledger(sagaId)).toEqual([{ kind: 'reserve', amount: 40 }]);
    expect(f.calls.execute).toBe(1);
  });

  it('records a compensation that arrives before its execute as a null compensation, and refuses the late execute', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    const comp = await p.process(command(sagaId, 'compensate'));
    expect(comp).toMatchObject({ outcome: 'success', action: 'compensate', output: { nullCompensation: true } });
    expect(f.calls.compensate).toBe(0);

    const late = await p.process(command(sagaId, 'execute'));
    expect(late).toMatchObject({ outcome: 'failure', error: { code: REPLY_ERROR_CODES.alreadyCompensated } });
    expect(f.calls.execute).toBe(0);
    expect(await f.ledger(sagaId)).toEqual([]);
    // Duplicates of either keep their answers.
    expect(await p.process(command(sagaId, 'compensate'))).toEqual(comp);
    expect(await p.process(command(sagaId, 'execute'))).toEqual(late);
    expect(await f.barrierRows(sagaId)).toEqual([
      { step: 'reserveCredit', action: 'compensate', state: 'NULL' },
      { step: 'reserveCredit', action: 'execute', state: 'BLOCKED' },
    ]);
  });

  it('a compensation racing an execute in flight waits for it and then undoes it', async () => {
    const sagaId = randomUUID();
    f.behaviour.set(sagaId, 'slow');
    const p = f.processor();
    const executing = p.process(command(sagaId, 'execute'));
    await new Promise((r) => setTimeout(r, 50));
    const [exec, comp] = await Promise.all([executing, p.process(command(sagaId, 'compensate'))]);
    expect(exec!.outcome).toBe('success');
    expect(comp).toMatchObject({ outcome: 'success', output: { released: 40 } });
    expect(await f.ledger(sagaId)).toEqual([
      { kind: 'reserve', amount: 40 },
      { kind: 'release', amount: 40 },
    ]);
  });

  it('compensates an applied execute once, with the output it recorded even when the coordinator has none', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    const exec = await p.process(command(sagaId, 'execute'));
    const comp = await p.process(command(sagaId, 'compensate')); // payload.output is null: the reply was "lost"
    const dup = await p.process(command(sagaId, 'compensate'));
    const nextAttempt = await p.process(command(sagaId, 'compensate', 2));
    expect(comp).toMatchObject({ outcome: 'success', output: { released: 40 } });
    expect(dup).toEqual(comp);
    expect(nextAttempt).toMatchObject({ outcome: 'success', attempt: 2 });
    expect(f.calls.compensatedWith).toEqual([exec!.output]);
    expect(await f.ledger(sagaId)).toEqual([
      { kind: 'reserve', amount: 40 },
      { kind: 'release', amount: 40 },
    ]);
  });

  it('keeps nothing of a business failure, records it, and never re-runs or compensates it', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    const cmd = command(sagaId, 'execute', 1, { payload: { account: 'a-1', amount: 500 } });
    const failed = await p.process(cmd);
    expect(failed).toMatchObject({ outcome: 'failure', error: { code: 'INSUFFICIENT_CREDIT' } });
    expect(await f.ledger(sagaId)).toEqual([]); // the handler's insert was rolled back
    expect(await p.process(cmd)).toEqual(failed);
    expect(await p.process({ ...command(sagaId, 'execute', 2), payload: { account: 'a-1', amount: 50 } })).toMatchObject({ outcome: 'failure', attempt: 2 });
    const comp = await p.process(command(sagaId, 'compensate'));
    expect(comp).toMatchObject({ outcome: 'success', output: { nullCompensation: true } });
    expect(f.calls).toMatchObject({ execute: 1, compensate: 0 });
    expect(await f.ledger(sagaId)).toEqual([]);
  });

  it('records nothing for a retry, so the next attempt runs the handler', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    f.behaviour.set(sagaId, 'retry');
    const first = await p.process(command(sagaId, 'execute', 1));
    expect(first).toMatchObject({ outcome: 'retry', error: { code: 'BUSY', message: 'ledger busy' } });
    expect(await f.ledger(sagaId)).toEqual([]);
    expect(await f.barrierRows(sagaId)).toEqual([]);
    f.behaviour.delete(sagaId);
    expect(await p.process(command(sagaId, 'execute', 2))).toMatchObject({ outcome: 'success', attempt: 2 });
    expect(await f.ledger(sagaId)).toHaveLength(1);
  });

  it('answers an exception, or a result that is not an outcome, with retry and logs it', async () => {
    const p = f.processor();
    const thrower = randomUUID();
    f.behaviour.set(thrower, 'throw');
    expect(await p.process(command(thrower, 'execute'))).toMatchObject({ outcome: 'retry', error: { code: REPLY_ERROR_CODES.handlerError, message: 'the ledger service is confused' } });
    const garbage = randomUUID();
    f.behaviour.set(garbage, 'garbage');
    expect(await p.process(command(garbage, 'execute'))).toMatchObject({ outcome: 'retry', error: { code: REPLY_ERROR_CODES.handlerError } });
    expect(await f.ledger(thrower)).toEqual([]);
    expect(await f.ledger(garbage)).toEqual([]);
    const errors = f.logs.filter((l) => l.level === 'error');
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('threw'), expect.stringContaining('expected success(), failure() or retry()')]);
    expect(errors[0].fields).toMatchObject({ sagaId: thrower, stack: expect.stringContaining('the ledger service is confused') });
  });

  it('does not start an execute whose deadline has passed, but still answers a duplicate of an applied one', async () => {
    const p = f.processor();
    const expired = randomUUID();
    const past = new Date(Date.now() - 1000).toISOString();
    expect(await p.process(command(expired, 'execute', 1, { deadlineAt: past }))).toMatchObject({ outcome: 'retry', error: { code: REPLY_ERROR_CODES.deadlinePassed } });
    expect(await f.barrierRows(expired)).toEqual([]);

    const applied = randomUUID();
    const ok = await p.process(command(applied, 'execute'));
    expect(await p.process(command(applied, 'execute', 1, { deadlineAt: past }))).toEqual(ok);
    expect(f.calls.execute).toBe(1);
  });

  it('fails an execute of an unknown command type or with invalid input, recorded, without calling a handler', async () => {
    const p = f.processor();
    const unknown = randomUUID();
    const reply = await p.process(command(unknown, 'execute', 1, { commandType: 'credit.teleport' }));
    expect(reply).toMatchObject({ outcome: 'failure', error: { code: REPLY_ERROR_CODES.unknownCommandType } });
    expect(await p.process(command(unknown, 'execute', 1, { commandType: 'credit.teleport' }))).toEqual(reply);
    const invalid = randomUUID();
    expect(await p.process(command(invalid, 'execute', 1, { payload: { account: 'a-1', amount: 'lots' } }))).toMatchObject({
      outcome: 'failure',
      error: { code: REPLY_ERROR_CODES.invalidInput, message: expect.stringContaining('/amount') },
    });
    expect(f.calls.execute).toBe(0);
  });

  it('answers a compensation of an unknown type with failure and records nothing, so a fixed deployment can still run it', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    await p.process(command(sagaId, 'execute'));
    const reply = await p.process(command(sagaId, 'compensate', 1, { commandType: 'credit.vanish' }));
    expect(reply).toMatchObject({ outcome: 'failure', error: { code: REPLY_ERROR_CODES.unknownCommandType } });
    expect(await p.process(command(sagaId, 'compensate', 2))).toMatchObject({ outcome: 'success', output: { released: 40 } });
  });

  it('retries a compensation that throws, and keeps nothing of it', async () => {
    const sagaId = randomUUID();
    const p = f.processor();
    await p.process(command(sagaId, 'execute'));
    f.behaviour.set(sagaId, 'throw');
    expect(await p.process(command(sagaId, 'compensate'))).toMatchObject({ outcome: 'retry', error: { code: REPLY_ERROR_CODES.handlerError } });
    f.behaviour.delete(sagaId);
    expect(await p.process(command(sagaId, 'compensate', 2))).toMatchObject({ outcome: 'success' });
    expect((await f.ledger(sagaId)).map((r) => r.kind)).toEqual(['reserve', 'release']);
  });

  it('answers retry when its database is unreachable', async () => {
    const dead = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/nowhere', connectionTimeoutMillis: 500 });
    dead.on('error', () => undefined);
    try {
      const reply = await f.processor({ pool: dead }).process(command(randomUUID(), 'execute'));
      expect(reply).toMatchObject({ outcome: 'retry', error: { code: REPLY_ERROR_CODES.databaseUnavailable } });
    } finally {
      await dead.end();
    }
  });
});
