// Consumes what participants and initiators send the coordinator: replies and start
// requests. Every message is validated; a bad one is dead-lettered with the reason
// and the partition moves on. Valid replies of a batch are applied in one transaction;
// the batch's offsets are resolved only after it committed (see KafkaBus).
// A transient failure (database down) is retried here with backoff rather than by
// kafkajs, which would restart the consumer and rejoin the group.
import { commandMessageId, type ReplyMessage, type StartSagaMessage, parseProtocolMessage, type TopicNames } from '@saga-coordinator/participant/protocol';
import { replyEvent } from '../core/saga-events';
import { deadLetterMessage, type BatchContext, type InboundMessage, type KafkaBus, type OutboundMessage, type Subscription } from '@saga-coordinator/participant/kafka';
import { CoordinatorError } from './coordinator-errors';
import type { EngineEvent, SagaEngine } from './saga-engine';
import { SagaError } from '../core/errors';

export interface InboundConsumerOptions {
  groupId: string;
  topics: TopicNames;
  /** Messages applied per database transaction. @default 250 */
  chunkSize?: number;
  /** @default 3 */
  partitionsConsumedConcurrently?: number;
  onError?: (err: Error) => void;
}

export class InboundConsumer {
  private subscription?: Subscription;

  constructor(
    private readonly bus: KafkaBus,
    private readonly engine: SagaEngine,
    private readonly options: InboundConsumerOptions,
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: this.options.groupId,
      topics: [this.options.topics.replies, this.options.topics.start],
      fromBeginning: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      handleBatch: (messages, ctx) => this.handleBatch(messages, ctx),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  private async handleBatch(messages: InboundMessage[], ctx: BatchContext): Promise<void> {
    const chunkSize = this.options.chunkSize ?? 250;
    for (let i = 0; i < messages.length; i += chunkSize) {
      const chunk = messages.slice(i, i + chunkSize);
      const deadLetters =
        ctx.topic === this.options.topics.start ? await this.withRetry(ctx, () => this.handleStarts(chunk)) : await this.withRetry(ctx, () => this.handleReplies(chunk));
      await this.withRetry(ctx, () => this.bus.publish(deadLetters));
      await ctx.heartbeat();
    }
  }

  private async handleReplies(messages: InboundMessage[]): Promise<OutboundMessage[]> {
    const deadLetters: OutboundMessage[] = [];
    const events: { source: InboundMessage; event: EngineEvent }[] = [];
    for (const m of messages) {
      const parsed = parseProtocolMessage<ReplyMessage>('reply', m.value);
      if (!parsed.ok) {
        deadLetters.push(this.deadLetter(m, parsed.reason));
        continue;
      }
      const reply = parsed.message;
      const expected = commandMessageId(reply.sagaId, reply.step, reply.action, reply.attempt);
      if (reply.correlationId !== expected) {
        deadLetters.push(this.deadLetter(m, `reply correlationId '${reply.correlationId}' does not match its saga, step, action and attempt ('${expected}')`));
        continue;
      }
      events.push({ source: m, event: { sagaId: reply.sagaId, event: replyEvent(reply), actor: `participant:${reply.step}`, messageId: reply.messageId } });
    }
    const outcomes = await this.engine.applyBatch(events.map((e) => e.event));
    outcomes.forEach((o, i) => {
      if (o.kind === 'unknown-saga') deadLetters.push(this.deadLetter(events[i].source, `reply for unknown saga ${o.sagaId}`));
    });
    return deadLetters;
  }

  private async handleStarts(messages: InboundMessage[]): Promise<OutboundMessage[]> {
    const deadLetters: OutboundMessage[] = [];
    for (const m of messages) {
      const parsed = parseProtocolMessage<StartSagaMessage>('start-saga', m.value);
      if (!parsed.ok) {
        deadLetters.push(this.deadLetter(m, parsed.reason));
        continue;
      }
      const req = parsed.message;
      try {
        await this.engine.start({
          definition: req.definition,
          version: req.version,
          input: req.input,
          businessKey: req.businessKey ?? null,
          idempotencyKey: req.idempotencyKey,
          actor: 'start-topic',
        });
      } catch (err) {
        // A request that can never succeed (unknown definition, bad input) is dead-lettered; anything else is retried.
        if ((err instanceof CoordinatorError || err instanceof SagaError) && !err.retriable) {
          deadLetters.push(this.deadLetter(m, `${err.code}: ${err.message}`));
        } else {
          throw err;
        }
      }
    }
    return deadLetters;
  }

  private deadLetter(m: InboundMessage, reason: string): OutboundMessage {
    return deadLetterMessage(this.options.topics.deadLetter, m, reason, 'coordinator', new Date());
  }

  private async withRetry<T>(ctx: BatchContext, fn: () => Promise<T>): Promise<T> {
    let delay = 100;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        this.options.onError?.(err as Error);
        // Stopping: give up this batch; its offsets stay unresolved and it is consumed again.
        if (!ctx.isRunning()) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
        await ctx.heartbeat().catch(() => undefined);
      }
    }
  }
}
