// The participant's Kafka side: consumes its command topic, dead-letters what is not a
// valid command (the partition moves on), runs valid commands through the processor —
// one saga's commands in order, different sagas concurrently — and hands each reply
// to the ReplyPublisher as soon as it exists. Offsets are resolved only after all the
// batch's replies were published (KafkaBus), so a crash in between redelivers the
// commands and the barrier re-sends the same replies.
import { PROTOCOL_VERSION, type CommandMessage, type ReplyMessage } from './protocol/protocol';
import { deadLetterMessage } from './kafka/dead-letter';
import type { BatchContext, InboundMessage, KafkaBus, OutboundMessage, Subscription } from './kafka/kafka-bus';
import { parseProtocolMessage } from './protocol/protocol-validation';
import type { CommandProcessor } from './command-processor';
import { describeError, type ParticipantLogger } from './participant-logger';
import { ReplyPublisher } from './reply-publisher';

export interface CommandConsumerOptions {
  participant: string;
  groupId: string;
  commandTopic: string;
  deadLetterTopic: string;
  partitionsConsumedConcurrently: number;
  sagasPerPartition: number;
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
      const list = bySaga.get(parsed.message.sagaId) ?? [];
      list.push(parsed.message);
      bySaga.set(parsed.message.sagaId, list);
    }
    await runConcurrently([...bySaga.values()], this.options.sagasPerPartition, async (commands) => {
      for (const command of commands) {
        const reply = await this.processSafely(command);
        if (reply) sends.push(this.publisher.send([replyMessage(command, reply)]));
        await ctx.heartbeat().catch(() => undefined);
      }
    });
    // allSettled first, so no send is left unobserved; then fail the batch if any failed (it is consumed again).
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async processSafely(command: CommandMessage): Promise<ReplyMessage | undefined> {
    try {
      return await this.processor.process(command);
    } catch (err) {
      // A bug in the SDK, not the handler (handlers' errors are classified): no reply, the attempt times out.
      this.options.logger.error('processing a command failed unexpectedly; not replying', { messageId: command.messageId, ...describeError(err) });
      return undefined;
    }
  }
}

function replyMessage(command: CommandMessage, reply: ReplyMessage): OutboundMessage {
  return {
    topic: command.replyTopic,
    key: command.sagaId,
    value: JSON.stringify(reply),
    headers: { 'message-type': 'reply', 'protocol-version': String(PROTOCOL_VERSION), 'saga-id': command.sagaId },
  };
}

async function runConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
