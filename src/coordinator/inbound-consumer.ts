// Consumes what participants and initiators send the coordinator: replies and start
// requests, one consumer group for all replicas. A batch is validated and handed to the
// applier, and the consumer goes on fetching while the database applies it (pipelining);
// a partition's offset is committed only once every message up to it is durable (applied,
// or dead-lettered, in a committed transaction). A message that cannot be applied is
// dead-lettered with the reason and never holds up its partition. A crash or rebalance
// before the commit redelivers messages, which the inbox dedupes.
import { commandMessageId, parseProtocolMessage, storableText, type ReplyMessage, type StartSagaMessage } from '@saga-coordinator/participant/protocol';
import { replyEvent } from '../core/saga-events';
import { deadLetterMessage, type BatchContext, type InboundMessage, type KafkaBus, type PartitionOffset, type Subscription } from '@saga-coordinator/participant/kafka';
import type { Applier, DeadLetter, EventVerdict } from './applier';
import type { EngineHooks } from './engine-hooks';
import type { EngineOptions } from './engine-options';
import { OffsetTracker } from './offset-tracker';
import { isRetriable } from '@saga-coordinator/participant';
import type { SagaEngine, StartSagaRequest } from './saga-engine';

/** A failed offset commit is tried again after this long if no batch commits first. */
const COMMIT_RETRY_MS = 1_000;
/** Offsets are committed at most this often (see commitReady). */
const COMMIT_EVERY_MS = 100;

/** The first kilobytes of a dead-lettered value kept in the dead_letters table. */
const EXCERPT_CHARS = 4_000;

/** Most messages of a fetched batch handed to the engine before it checks for room again. */
const INTAKE_CHUNK = 500;

/** A start that failed transiently (the database away) is tried again after this long, doubling up to the cap. */
const START_RETRY_FIRST_MS = 100;
const START_RETRY_MAX_MS = 1_000;

export class InboundConsumer {
  private subscription?: Subscription;
  private stopping = false;
  private readonly offsets = new OffsetTracker();
  private committing = false;
  private commitRetry?: NodeJS.Timeout;
  /** Messages handed over and not yet applied: a start validates and reads its definition before it queues in the engine. */
  private intake = 0;
  private readonly intakeWaiters: (() => void)[] = [];

  constructor(
    private readonly bus: KafkaBus,
    private readonly engine: SagaEngine,
    private readonly applier: Applier,
    private readonly options: EngineOptions,
    private readonly onError: (err: Error) => void,
    private readonly hooks: EngineHooks,
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: this.options.groupId,
      topics: [this.options.topics.replies, this.options.topics.start],
      fromBeginning: true,
      partitionsConsumedConcurrently: Math.max(1, this.options.partitions * 2),
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      instanceId: this.options.instanceId,
      offsets: 'manual',
      handleBatch: (messages, ctx) => this.handleBatch(messages, ctx),
    });
  }

  /** Stops fetching, waits (bounded) for what was fetched to be applied, commits its offsets, leaves the group. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    if (!subscription) return;
    this.stopping = true;
    subscription.pause();
    const deadline = Date.now() + this.options.stopGraceMs;
    while (this.offsets.unfinished > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.committed;
    await this.commitReady();
    await subscription.stop();
    clearTimeout(this.commitRetry);
    this.subscription = undefined;
    this.stopping = false;
  }

  private async handleBatch(messages: InboundMessage[], ctx: BatchContext): Promise<void> {
    // A fetched batch can hold thousands of messages (up to 1 MB per partition, a dozen partitions at
    // once): handed over whole, a burst of starts put tens of thousands of items in memory past the
    // engine's bound (a coordinator at 1 GB RSS after 100,000 queued starts). In chunks, each after room.
    for (let from = 0; from < messages.length && ctx.isRunning(); from += INTAKE_CHUNK) {
      // Back-pressure: while the engine has plenty queued, or plenty is on its way there, take no more
      // (heartbeating, so the group keeps us). The engine's queue alone was not enough: 100,000 starts
      // each waiting for its definition before queueing held 240 MB of live heap.
      for (;;) {
        const engineFull = this.applier.queueLength >= this.options.maxQueuedEvents;
        if ((!engineFull && this.intake < this.options.maxQueuedEvents) || !ctx.isRunning()) break;
        // Wait on what is full only: the engine's roomForMore resolves at once while its own queue has
        // room, and racing it made this loop spin and starve the event loop.
        const room = engineFull ? this.applier.roomForMore() : new Promise<void>((r) => this.intakeWaiters.push(r));
        await Promise.race([room, new Promise((r) => setTimeout(r, 1_000))]);
        await ctx.heartbeat().catch(() => undefined);
      }
      const chunk = messages.slice(from, from + INTAKE_CHUNK);
      const done = this.offsets.begin(ctx.topic, ctx.partition, chunk[chunk.length - 1].offset);
      this.intake += chunk.length;
      const work = ctx.topic === this.options.topics.start ? this.handleStarts(chunk) : this.handleReplies(chunk);
      // Not awaited: the next chunk and fetch start while this one is applied. A chunk that fails (the
      // coordinator stopping with the database down) is never marked done: it is consumed again.
      work
        .finally(() => {
          this.intake -= chunk.length;
          for (const wake of this.intakeWaiters.splice(0)) wake();
        })
        .then(
          () => {
            done();
            this.startCommit();
          },
          (err: Error) => this.onError(err),
        );
    }
  }

  /** The commit loop under way, if any (stop waits for it). */
  private committed: Promise<void> = Promise.resolve();

  /** Starts the commit loop unless one runs (it takes whatever became durable meanwhile). */
  private startCommit(): void {
    if (!this.committing) this.committed = this.commitReady();
  }

  private async handleReplies(messages: InboundMessage[]): Promise<void> {
    const deadLetters: DeadLetter[] = [];
    const applying: { source: InboundMessage; verdict: Promise<EventVerdict> }[] = [];
    for (const m of messages) {
      const parsed = parseProtocolMessage<ReplyMessage>('reply', m.value);
      if (!parsed.ok) {
        deadLetters.push(this.deadLetter(m, 'MALFORMED_REPLY', parsed.reason));
        continue;
      }
      const reply = parsed.message;
      const expected = commandMessageId(reply.sagaId, reply.step, reply.action, reply.attempt);
      if (reply.correlationId !== expected) {
        deadLetters.push(this.deadLetter(m, 'CORRELATION_MISMATCH', `reply correlationId does not match its saga, step, action and attempt (expected '${expected}')`));
        continue;
      }
      const event = { sagaId: reply.sagaId, event: replyEvent(reply), actor: `participant:${reply.step}`, messageId: reply.messageId };
      applying.push({ source: m, verdict: this.applier.submitEvent(event, Number.MAX_SAFE_INTEGER) });
    }
    for (const { source, verdict } of applying) {
      const v = await verdict;
      if (v.kind === 'unknown-saga') deadLetters.push(this.deadLetter(source, 'UNKNOWN_SAGA', `reply for unknown saga ${v.sagaId}`));
      else if (v.kind === 'quarantined') deadLetters.push(this.deadLetter(source, 'SAGA_QUARANTINED', v.reason));
    }
    await this.applier.submitDeadLetters(deadLetters, Number.MAX_SAFE_INTEGER);
  }

  private async handleStarts(messages: InboundMessage[]): Promise<void> {
    const deadLetters: DeadLetter[] = [];
    await Promise.all(
      messages.map(async (m) => {
        const parsed = parseProtocolMessage<StartSagaMessage>('start-saga', m.value);
        if (!parsed.ok) {
          deadLetters.push(this.deadLetter(m, 'MALFORMED_START_REQUEST', parsed.reason));
          return;
        }
        const req = parsed.message;
        try {
          await this.startUntilDone({
            definition: req.definition,
            version: req.version,
            input: req.input,
            businessKey: req.businessKey ?? null,
            concurrencyKey: req.concurrencyKey ?? null,
            idempotencyKey: req.idempotencyKey,
            actor: 'start-topic',
            traceparent: m.headers.traceparent ?? null,
          });
        } catch (err) {
          // A request that can never succeed (unknown definition, bad input) is dead-lettered; a
          // transient failure at shutdown gives the chunk back (consumed again, the inbox dedupes).
          if (isRetriable(err)) throw err;
          const code = (err as { code?: unknown }).code;
          deadLetters.push(this.deadLetter(m, typeof code === 'string' ? code : 'START_REFUSED', (err as Error).message));
        }
      }),
    );
    await this.applier.submitDeadLetters(deadLetters, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Starts the saga, trying again in place while the failure is transient (its definition could
   * not be read: the database away) and the consumer runs. Giving the chunk up instead left it
   * unfinished for good: its starts were never taken up and its partition's offset froze there,
   * since nothing consumes a fetched message again short of a rebalance.
   */
  private async startUntilDone(req: StartSagaRequest): Promise<void> {
    for (let delay = START_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, START_RETRY_MAX_MS)) {
      try {
        await this.engine.start(req);
        return;
      } catch (err) {
        if (!isRetriable(err) || this.stopping) throw err;
        this.onError(err as Error);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private deadLetter(m: InboundMessage, reasonCode: string, reason: string): DeadLetter {
    this.hooks.deadLettered(reasonCode, m.topic, reason);
    const message = deadLetterMessage(this.options.topics.deadLetter, m, `${reasonCode}: ${reason}`, 'coordinator', new Date());
    const value = m.value ? m.value.toString('utf8') : null;
    return {
      message: { topic: message.topic, key: message.key, value: message.value, headers: message.headers ?? {} },
      row: {
        reasonCode: storableText(reasonCode),
        reason: storableText(reason.slice(0, 2_000)),
        by: 'coordinator',
        sourceTopic: m.topic,
        sourcePartition: m.partition,
        sourceOffset: m.offset,
        key: m.key === null ? null : storableText(m.key),
        valueExcerpt: value === null ? null : storableText(value.slice(0, EXCERPT_CHARS)),
        valueBytes: m.value?.length ?? 0,
      },
    };
  }

  /**
   * Commits what became durable: one commit request at a time, at most one every
   * COMMIT_EVERY_MS, each taking everything that became durable meanwhile. (A request per
   * applied batch cost the broker and this process a round trip each under load; a
   * redelivery after a crash only grows by what the interval holds, and the inbox dedupes it.)
   */
  private async commitReady(): Promise<void> {
    if (this.committing || !this.subscription) return;
    this.committing = true;
    let offsets: PartitionOffset[] = [];
    try {
      for (offsets = this.offsets.committable(); offsets.length > 0; offsets = this.offsets.committable()) {
        const began = Date.now();
        await this.subscription.commit(offsets);
        const wait = COMMIT_EVERY_MS - (Date.now() - began);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    } catch {
      // Refused (a rebalance, the broker away): committed later, by the next batch's commit or
      // by this retry if no batch comes. Not logged: a rebalance refuses commits by design.
      this.offsets.restore(offsets);
      clearTimeout(this.commitRetry);
      this.commitRetry = setTimeout(() => this.startCommit(), COMMIT_RETRY_MS);
      this.commitRetry.unref();
    } finally {
      this.committing = false;
    }
  }
}
