// The participant's Kafka side: consumes its command topic, dead-letters what is not a
// valid command (the partition moves on), runs valid commands through the processor —
// one saga's commands in order, different sagas concurrently — and hands each reply
// to the ReplyPublisher as soon as it exists. Offsets are resolved only after all the
// batch's replies were published (KafkaBus), so a crash in between redelivers the
// commands and the barrier re-sends the same replies.
import { type CommandMessage, type ReplyMessage } from './protocol/protocol';
import { wireHeaders } from './protocol/wire-headers';
import { deadLetterMessage } from './kafka/dead-letter';
import type { BatchContext, InboundMessage, KafkaBus, OutboundMessage, Subscription } from './kafka/kafka-bus';
import { parseProtocolMessage } from './protocol/protocol-validation';
import type { CommandProcessor } from './command-processor';
import { describeError, type ParticipantLogger } from './participant-logger';
import { ReplyPublisher } from './reply-publisher';
import { rememberCommandTrace, sdkMetrics, takeReplyTrace } from './participant-telemetry';

/**
 * Offsets of handled commands are committed at most this often: a commit request per batch
 * was almost half of a busy participant's Kafka requests (733 of 1,550 in a bench run); a crash redelivers at most this
 * long's commands more, and the barrier answers them with the replies already sent.
 */
const COMMIT_INTERVAL_MS = 100;

export interface CommandConsumerOptions {
  participant: string;
  groupId: string;
  commandTopic: string;
  deadLetterTopic: string;
  partitionsConsumedConcurrently: number;
  sagasPerPartition: number;
  commandsPerTransaction: number;
  sessionTimeoutMs: number;
  logger: ParticipantLogger;
}

export class CommandConsumer {
  private subscription?: Subscription;
  private readonly publisher: ReplyPublisher;

  constructor(
    private readonly bus: KafkaBus,
    private readonly processor: CommandProcessor,
    private readonly options: CommandConsumerOptions,
  ) {
    this.publisher = new ReplyPublisher(bus, options.logger);
  }

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: this.options.groupId,
      topics: [this.options.commandTopic],
      // A new group starts at the beginning: commands sent before the first start are not lost.
      fromBeginning: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      commitIntervalMs: COMMIT_INTERVAL_MS,
      handleBatch: (messages, ctx) => this.handleBatch(messages, ctx),
    });
  }

  async stop(): Promise<void> {
    this.publisher.stop();
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /**
   * Returns once every reply and dead letter of the batch is in Kafka: only then are its
   * offsets resolved. The whole batch is always processed, even while stopping: returning
   * early would resolve the offsets of commands never handled.
   */
  private async handleBatch(messages: InboundMessage[], ctx: BatchContext): Promise<void> {
    const sends: Promise<void>[] = [];
    const bySaga = new Map<string, CommandMessage[]>();
    for (const m of messages) {
      const parsed = parseProtocolMessage<CommandMessage>('command', m.value);
      if (!parsed.ok) {
        this.options.logger.warn('dead-lettering a message that is not a valid command', { topic: m.topic, partition: m.partition, offset: m.offset, reason: parsed.reason });
        sends.push(this.publisher.send([deadLetterMessage(this.options.deadLetterTopic, m, parsed.reason, `participant:${this.options.participant}`, new Date())]));
        continue;
      }
      rememberCommandTrace(parsed.message.messageId, m.headers);
      const list = bySaga.get(parsed.message.sagaId) ?? [];
      list.push(parsed.message);
      bySaga.set(parsed.message.sagaId, list);
    }
    // Chunks of whole sagas (a saga's commands stay in order in one chunk), each one transaction,
    // up to sagasPerPartition chunks at once: a slow handler holds back only its own chunk's replies.
    const chunks = chunkSagas([...bySaga.values()], this.options.commandsPerTransaction);
    await runConcurrently(chunks, this.options.sagasPerPartition, async (commands) => {
      const replies = await this.processSafely(commands);
      const messages = commands.flatMap((command, i) => {
        const trace = takeReplyTrace(command.messageId);
        const reply = replies[i];
        if (!reply) return [];
        sdkMetrics()?.repliesSent.inc({ participant: this.options.participant, action: reply.action, outcome: reply.outcome });
        return [replyMessage(command, reply, trace)];
      });
      if (messages.length > 0) sends.push(this.publisher.send(messages));
      await ctx.heartbeat().catch(() => undefined);
    });
    // allSettled first, so no send is left unobserved; then fail the batch if any failed (it is consumed again).
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async processSafely(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[]> {
    try {
      return await this.processor.processBatch(commands);
    } catch (err) {
      // A bug in the SDK, not the handler (handlers' errors are classified): no reply, the attempts time out.
      this.options.logger.error('processing commands failed unexpectedly; not replying', { messageIds: commands.map((c) => c.messageId), ...describeError(err) });
      return commands.map(() => undefined);
    }
  }
}

/** The reply's message; `trace` is the handler span's W3C context (docs/protocol.md, "Trace context"). */
function replyMessage(command: CommandMessage, reply: ReplyMessage, trace: Record<string, string>): OutboundMessage {
  return {
    topic: command.replyTopic,
    key: command.sagaId,
    value: JSON.stringify(reply),
    headers: wireHeaders('reply', command.sagaId, trace),
  };
}

/** Whole sagas packed into chunks of about `size` commands, in order. */
function chunkSagas(sagas: CommandMessage[][], size: number): CommandMessage[][] {
  const chunks: CommandMessage[][] = [];
  let current: CommandMessage[] = [];
  for (const commands of sagas) {
    if (current.length > 0 && current.length + commands.length > size) {
      chunks.push(current);
      current = [];
    }
    current.push(...commands);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function runConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
