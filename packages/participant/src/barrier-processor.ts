// Runs commands behind the barrier: one PostgreSQL transaction per chunk of commands,
// a savepoint per command, holds each command's barrier row of (saga, step, action) and
// its handler's business writes; one commit (one fsync) for the chunk. A command whose
// statements fail is rolled back to its savepoint alone and answered `retry`; the others
// commit. (Rejected: a transaction per command — a commit per command was most of a
// participant's time.)
//
// The rule (DTM's sub-transaction barrier, adapted to replies that must be re-sent):
//   execute     insert-or-ignore its row. Ignored → the action was decided before:
//               answer from the row (duplicate, or a late execute after a compensation:
//               BLOCKED → refused). Inserted → run the handler; success → APPLIED;
//               business failure → roll the handler back to a savepoint, keep the row as
//               FAILED (a redelivered command must not apply what the saga already
//               compensated around); retry → roll everything back, record nothing.
//   compensate  insert-or-ignore the *execute* row as BLOCKED first, then its own row.
//               Execute row inserted (the execute never ran) or not APPLIED → null
//               compensation, the handler is not called; otherwise run the handler.
// The insert waits for a concurrent uncommitted insert of the same key, so two
// deliveries of one command apply once. The reply goes out after commit (the caller
// publishes it); a crash before that redelivers the command, which re-reads the row.
import type { Pool, PoolClient } from 'pg';
import type { JsonValue } from './protocol/json';
import type { CommandMessage, ReplyError, ReplyMessage } from './protocol/protocol';
import { barrierKeyText, findBarrierRow, findBarrierRows, insertBarrierRow, insertBarrierRows, settleBarrierRow, settleBarrierRows, type BarrierKey, type BarrierRow } from './barrier.repository';
import { compensationPayload, handlerContext } from './handler-context';
import { invokeCompensate, invokeExecute } from './handler-invocation';
import type { HandlerRegistry } from './handler-registry';
import { REPLY_ERROR_CODES } from './participant-errors';
import { describeError, type ParticipantLogger } from './participant-logger';
import { replyFromBarrier, replyTo } from './reply-builder';
import { isLockConflict } from './retriable';
import { sdkMetrics } from './participant-telemetry';
import type { CommandProcessor, CommandProcessorOptions } from './command-processor';

interface Decided {
  commit: boolean;
  reply: ReplyMessage;
  /** The command's statements lost a lock race (deadlock, serialization failure): worth running again alone. */
  lockConflict?: boolean;
}

interface Outcome {
  reply: ReplyMessage | undefined;
  lockConflict: boolean;
}

// A command that lost a lock race inside a chunk runs again in a transaction of its own,
// this many times at most, backing off, before `retry` is answered. Rows that many sagas update (a
// stock level) deadlock between chunks that lock them in different orders; alone, a
// command holds no other locks and wins. (Rejected: answering retry at once — under
// contention every retry deadlocked again, and the coordinator's backoff turned it
// into minutes of stalled sagas.)
const LOCK_CONFLICT_RUNS = 8;

/** Before the n-th run again: 10 ms doubling to 640 ms, each with up to as much again at random (2 to 4 s over all 8 runs). */
function lockConflictPause(run: number): Promise<void> {
  const base = 10 * 2 ** Math.min(run - 1, 6);
  return new Promise((r) => setTimeout(r, base + Math.random() * base));
}
// After a lock conflict the processor runs one command per transaction for this long:
// a chunk holds every row its commands locked until its one commit, so on rows many
// sagas share, chunks wait for and deadlock with each other (each deadlock costs
// PostgreSQL's deadlock_timeout, 1 s by default). Without conflicts, chunks again.
const CONTENDED_MS = 30_000;

export class BarrierCommandProcessor implements CommandProcessor {
  private readonly log: ParticipantLogger;
  /** Until when commands run one per transaction (see CONTENDED_MS). */
  private contendedUntil = 0;

  constructor(
    private readonly pool: Pool,
    private readonly registry: HandlerRegistry,
    private readonly options: CommandProcessorOptions,
  ) {
    this.log = options.logger;
  }

  async process(command: CommandMessage): Promise<ReplyMessage | undefined> {
    return (await this.processBatch([command]))[0];
  }

  /**
   * What the barrier answered without the handler, by command (the object: a redelivered
   * duplicate has the same messageId), counted in the metrics once the command's final
   * reply exists: a chunk rolled back and run again notes the same command again, and
   * must not count it twice.
   */
  private readonly notes = new Map<CommandMessage, 'duplicate' | 'hanging' | 'null-compensation'>();

  async processBatch(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[]> {
    try {
      const replies = await this.decideBatch(commands);
      const m = sdkMetrics();
      commands.forEach((c, i) => {
        const note = this.notes.get(c);
        if (!m || !note || !replies[i]) return;
        const participant = this.options.participant;
        if (note === 'duplicate') m.duplicates.inc({ participant, action: c.action });
        else if (note === 'hanging') m.hangingRefused.inc({ participant });
        else m.nullCompensations.inc({ participant });
      });
      return replies;
    } finally {
      for (const c of commands) this.notes.delete(c);
    }
  }

  private async decideBatch(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[]> {
    const inContention = () => commands.length > 1 && this.options.now() < this.contendedUntil;
    if (!inContention() && commands.length > 1 && commands.every((c) => c.action === 'execute') && new Set(commands.map((c) => `${c.sagaId}|${c.step}`)).size === commands.length) {
      const fast = await this.tryAllSucceed(commands);
      if (fast) return fast;
    }
    if (inContention()) return this.processAlone(commands);
    const outcomes = await this.processEach(commands);
    if (commands.length > 1 && outcomes.some((o) => o.lockConflict)) this.contended();
    for (let i = 0; i < commands.length; i++) {
      // Only when no later command of the same saga ran in this chunk: a saga's commands keep their order.
      const laterOfSaga = commands.some((c, j) => j > i && c.sagaId === commands[i].sagaId);
      if (!laterOfSaga) outcomes[i] = await this.runAgainAlone(commands[i], outcomes[i]);
    }
    return outcomes.map((o) => o.reply);
  }

  /** Each command in a transaction of its own, in order, a lost lock race run again. */
  private async processAlone(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[]> {
    const replies: (ReplyMessage | undefined)[] = [];
    for (const command of commands) replies.push((await this.runAgainAlone(command, (await this.processEach([command]))[0])).reply);
    return replies;
  }

  /** While `outcome` is a lost lock race, runs the command again in a transaction of its own (at most LOCK_CONFLICT_RUNS times). */
  private async runAgainAlone(command: CommandMessage, outcome: Outcome): Promise<Outcome> {
    for (let run = 1; outcome.lockConflict && run <= LOCK_CONFLICT_RUNS; run++) {
      await lockConflictPause(run);
      outcome = (await this.processEach([command]))[0];
    }
    return outcome;
  }

  private contended(): void {
    if (this.options.now() >= this.contendedUntil) this.log.info('lock conflicts between chunks: running one command per transaction for a while', { forMs: CONTENDED_MS });
    this.contendedUntil = this.options.now() + CONTENDED_MS;
  }

  /**
   * The common case of a chunk, in a handful of statements: executes of distinct steps
   * whose handlers all succeed. One insert of every barrier row, the handlers with no
   * savepoint between them, one update settling the rows, one commit. As soon as anything
   * else happens (a handler fails or asks to retry, a deadline passed, no handler) it
   * rolls back — every handler's writes with it — and answers undefined: the caller then
   * takes the careful path, a savepoint per command, where the handlers run again. (As a
   * redelivered command would: handlers must keep their effects in the transaction.)
   */
  private async tryAllSucceed(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[] | undefined> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch {
      return undefined;
    }
    let committing = false;
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query('begin');
      const keys: BarrierKey[] = commands.map((c) => ({ sagaId: c.sagaId, step: c.step, action: 'execute' }));
      const inserted = await insertBarrierRows(client, commands.map((c, i) => ({ key: keys[i], state: 'PENDING', commandId: c.messageId })));
      const replies: (ReplyMessage | undefined)[] = new Array(commands.length);
      const settled: { key: BarrierKey; state: 'APPLIED'; output: JsonValue | null; error: null }[] = [];
      const decidedBefore: number[] = [];
      for (let i = 0; i < commands.length; i++) {
        const command = commands[i];
        if (!inserted.has(barrierKeyText(keys[i]))) {
          decidedBefore.push(i);
          continue;
        }
        const handler = this.registry.find('execute', command.commandType);
        const expired = this.options.skipExpiredExecutes && Date.parse(command.deadlineAt) < this.options.now();
        if (!handler || expired || this.registry.inputProblems(handler, command.payload)) return await this.abandon(client);
        const result = await invokeExecute(handler, command.payload, handlerContext(command, this.options.participant, this.log, client));
        if (result.kind === 'retry' && result.lockConflict) this.contended();
        if (result.kind !== 'success') return await this.abandon(client);
        const output = result.output ?? null;
        settled.push({ key: keys[i], state: 'APPLIED', output, error: null });
        replies[i] = replyFromBarrier(command, { ...keys[i], state: 'APPLIED', output, error: null, commandId: command.messageId });
      }
      if (decidedBefore.length > 0) {
        const rows = await findBarrierRows(client, decidedBefore.map((i) => keys[i]));
        for (const i of decidedBefore) {
          const row = rows.get(barrierKeyText(keys[i]));
          if (!row) return await this.abandon(client);
          this.log.debug('duplicate command: answering from the barrier', { messageId: commands[i].messageId, state: row.state });
          this.noteDecidedBefore(commands[i], row);
          replies[i] = replyFromBarrier(commands[i], row);
        }
      }
      await settleBarrierRows(client, settled);
      committing = settled.length > 0;
      await client.query(committing ? 'commit' : 'rollback');
      return replies;
    } catch (err) {
      broken ??= err instanceof Error ? err : new Error(String(err));
      await client.query('rollback').catch(() => undefined);
      if (committing) {
        this.log.error('commit failed with an unknown outcome; not replying', { commands: commands.length, ...describeError(err) });
        return commands.map(() => undefined);
      }
      if (isLockConflict(err)) this.contended();
      return undefined;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private async abandon(client: PoolClient): Promise<undefined> {
    await client.query('rollback');
    return undefined;
  }

  /** The careful path: a savepoint per command, so each is decided and rolled back on its own. */
  private async processEach(commands: CommandMessage[]): Promise<Outcome[]> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      return commands.map((c) => ({ reply: this.unavailable(c, err), lockConflict: false }));
    }
    let committing = false;
    let broken: Error | undefined;
    // A checked-out client's 'error' (PostgreSQL restarting) must be heard, or it ends the process.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query('begin');
      const replies: Outcome[] = [];
      let writes = false;
      // A lone command needs no savepoint of its own: its transaction is one (two round trips fewer).
      const isolate = commands.length > 1;
      for (const command of commands) {
        if (isolate) await client.query('savepoint participant_command');
        let decided: Decided;
        try {
          decided = command.action === 'execute' ? await this.execute(client, command) : await this.compensate(client, command);
        } catch (err) {
          // This command's statements failed: undo them alone and answer retry; the chunk goes on.
          await client.query(isolate ? 'rollback to savepoint participant_command' : 'rollback');
          replies.push(isLockConflict(err) ? { reply: this.lostLockRace(command, err), lockConflict: true } : { reply: this.unavailable(command, err), lockConflict: false });
          if (!isolate) return replies;
          continue;
        }
        if (isolate) await client.query(decided.commit ? 'release savepoint participant_command' : 'rollback to savepoint participant_command');
        writes ||= decided.commit;
        replies.push({ reply: decided.reply, lockConflict: decided.lockConflict === true });
      }
      committing = writes;
      await client.query(writes ? 'commit' : 'rollback');
      return replies;
    } catch (err) {
      broken ??= err instanceof Error ? err : new Error(String(err));
      await client.query('rollback').catch(() => undefined);
      if (committing) {
        // The commit may or may not have happened: no replies. The coordinator times the
        // attempts out and retries or compensates; either way the barrier rows answer.
        this.log.error('commit failed with an unknown outcome; not replying', { commands: commands.length, ...describeError(err) });
        return commands.map(() => ({ reply: undefined, lockConflict: false }));
      }
      // A commit that failed with a serialization failure did not happen: the chunk may run again.
      const lost = isLockConflict(err);
      return commands.map((c) => ({ reply: lost ? this.lostLockRace(c, err) : this.unavailable(c, err), lockConflict: lost }));
    } finally {
      client.off('error', onError);
      // A client whose transaction broke is discarded rather than reused.
      client.release(broken);
    }
  }

  private async execute(client: PoolClient, command: CommandMessage): Promise<Decided> {
    const key: BarrierKey = { sagaId: command.sagaId, step: command.step, action: 'execute' };
    if (!(await insertBarrierRow(client, key, 'PENDING', command.messageId))) return this.answerFromRow(client, command, key);
    if (this.options.skipExpiredExecutes && Date.parse(command.deadlineAt) < this.options.now()) {
      return { commit: false, reply: replyTo(command, { outcome: 'retry', error: { code: REPLY_ERROR_CODES.deadlinePassed, message: `deadline ${command.deadlineAt} had passed; not started` } }) };
    }
    const handler = this.registry.find('execute', command.commandType);
    if (!handler) {
      this.log.error(`no handler for command type '${command.commandType}'; answering failure`, { sagaId: command.sagaId, step: command.step });
      return this.settle(client, command, key, 'FAILED', { error: { code: REPLY_ERROR_CODES.unknownCommandType, message: `participant '${this.options.participant}' has no handler for '${command.commandType}'` } });
    }
    const problems = this.registry.inputProblems(handler, command.payload);
    if (problems) return this.settle(client, command, key, 'FAILED', { error: { code: REPLY_ERROR_CODES.invalidInput, message: problems } });

    await client.query('savepoint participant_handler');
    const result = await invokeExecute(handler, command.payload, handlerContext(command, this.options.participant, this.log, client));
    switch (result.kind) {
      case 'success':
        return this.settle(client, command, key, 'APPLIED', { output: result.output ?? null });
      case 'failure':
        await client.query('rollback to savepoint participant_handler');
        return this.settle(client, command, key, 'FAILED', { error: result.error });
      case 'retry':
        return { commit: false, reply: replyTo(command, { outcome: 'retry', error: result.error }), lockConflict: result.lockConflict };
    }
  }

  private async compensate(client: PoolClient, command: CommandMessage): Promise<Decided> {
    const executeKey: BarrierKey = { sagaId: command.sagaId, step: command.step, action: 'execute' };
    const key: BarrierKey = { ...executeKey, action: 'compensate' };
    const executeNeverRan = await insertBarrierRow(client, executeKey, 'BLOCKED', null);
    if (!(await insertBarrierRow(client, key, 'PENDING', command.messageId))) return this.answerFromRow(client, command, key);
    const executed = executeNeverRan ? undefined : await findBarrierRow(client, executeKey);
    if (executed?.state !== 'APPLIED') {
      this.log.info('null compensation: the execute never applied here', { sagaId: command.sagaId, step: command.step, execute: executed?.state ?? 'never arrived' });
      this.notes.set(command, 'null-compensation');
      return this.settle(client, command, key, 'NULL', {});
    }
    const handler = this.registry.find('compensate', command.commandType);
    if (!handler) {
      this.log.error(`no handler for compensation type '${command.commandType}'; answering failure (the coordinator retries it)`, { sagaId: command.sagaId, step: command.step });
      const error = { code: REPLY_ERROR_CODES.unknownCommandType, message: `participant '${this.options.participant}' has no handler for '${command.commandType}'` };
      return { commit: false, reply: replyTo(command, { outcome: 'failure', error }) };
    }
    // The recorded output, not the coordinator's copy: it exists even if the execute's reply never arrived.
    const data = { input: compensationPayload(command).input, output: executed.output };
    const result = await invokeCompensate(handler, data, handlerContext(command, this.options.participant, this.log, client));
    if (result.kind === 'success') return this.settle(client, command, key, 'APPLIED', { output: result.output ?? null });
    return { commit: false, reply: replyTo(command, { outcome: 'retry', error: result.error }), lockConflict: result.kind === 'retry' && result.lockConflict === true };
  }

  private async answerFromRow(client: PoolClient, command: CommandMessage, key: BarrierKey): Promise<Decided> {
    const row = await findBarrierRow(client, key);
    if (!row) {
      // Only if the row was pruned between the insert and this read.
      return { commit: false, reply: replyTo(command, { outcome: 'retry', error: { code: REPLY_ERROR_CODES.databaseUnavailable, message: 'barrier row vanished; retry' } }) };
    }
    this.log.debug('duplicate command: answering from the barrier', { messageId: command.messageId, state: row.state });
    this.noteDecidedBefore(command, row);
    return { commit: false, reply: replyFromBarrier(command, row) };
  }

  /** An execute that finds its row BLOCKED is the late ("hanging") action, refused; any other row is a duplicate. */
  private noteDecidedBefore(command: CommandMessage, row: BarrierRow): void {
    this.notes.set(command, command.action === 'execute' && row.state === 'BLOCKED' ? 'hanging' : 'duplicate');
  }

  private async settle(client: PoolClient, command: CommandMessage, key: BarrierKey, state: 'APPLIED' | 'FAILED' | 'NULL', result: { output?: JsonValue | null; error?: ReplyError }): Promise<Decided> {
    await settleBarrierRow(client, key, state, result);
    const row: BarrierRow = { ...key, state, output: result.output ?? null, error: result.error ?? null, commandId: command.messageId };
    return { commit: true, reply: replyFromBarrier(command, row) };
  }

  private lostLockRace(command: CommandMessage, err: unknown): ReplyMessage {
    this.log.debug('command lost a lock race; answering retry unless it runs again', { messageId: command.messageId, ...describeError(err) });
    return replyTo(command, { outcome: 'retry', error: { code: REPLY_ERROR_CODES.handlerError, message: err instanceof Error ? err.message : String(err) } });
  }

  private unavailable(command: CommandMessage, err: unknown): ReplyMessage {
    this.log.warn('participant database unavailable; answering retry', { messageId: command.messageId, ...describeError(err) });
    const message = err instanceof Error ? err.message : String(err);
    return replyTo(command, { outcome: 'retry', error: { code: REPLY_ERROR_CODES.databaseUnavailable, message } });
  }
}
