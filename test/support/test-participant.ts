// A scripted participant for engine tests: consumes commands from real Kafka, records
// them, and answers through a behaviour function. It speaks the raw wire protocol
// (not the SDK), so tests can also send duplicate, stale and malformed replies.
import { randomUUID } from 'node:crypto';
import { type CommandMessage, type ReplyMessage, topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus, type Subscription } from '@saga-coordinator/participant/kafka';
import { infraEnv, uniqueName } from './test-infra';

/** What to do with a command: reply (possibly more than once), or drop it (the coordinator will time out). */
export type Behaviour = (cmd: CommandMessage, seen: number) => Omit<ReplyMessage, 'protocolVersion' | 'messageId' | 'correlationId' | 'sagaId' | 'step' | 'action' | 'attempt'> | 'drop';

export interface ReceivedCommand {
  command: CommandMessage;
  receivedAt: number;
}

export class TestParticipants {
  readonly received: ReceivedCommand[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private subscription?: Subscription;
  private readonly bus: KafkaBus;
  private readonly seen = new Map<string, number>();

  constructor(private readonly prefix: string, private readonly participants: string[]) {
    this.bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'test-participants' });
  }

  async start(): Promise<void> {
    await this.bus.connect();
    const names = topicNames(this.prefix);
    await this.bus.ensureTopics(this.participants.map((p) => ({ topic: names.commands(p), partitions: 2, replicationFactor: 1 })));
    this.subscription = await this.bus.subscribe({
      groupId: uniqueName('test-participants'),
      topics: this.participants.map((p) => names.commands(p)),
      fromBeginning: true,
      partitionsConsumedConcurrently: 4,
      handleBatch: async (messages) => {
        const replies = [];
        for (const m of messages) {
          const command = JSON.parse(m.value!.toString()) as CommandMessage;
          this.received.push({ command, receivedAt: Date.now() });
          const n = (this.seen.get(command.messageId) ?? 0) + 1;
          this.seen.set(command.messageId, n);
          const behaviour = this.behaviours.get(command.definition.name) ?? (() => ({ outcome: 'success' as const, output: { ok: true } }));
          const answer = behaviour(command, n);
          if (answer === 'drop') continue;
          replies.push({ topic: command.replyTopic, key: command.sagaId, value: JSON.stringify(this.reply(command, answer)) });
        }
        await this.bus.publish(replies);
      },
    });
  }

  /** Behaviour for every command of sagas of one definition. */
  on(definition: string, behaviour: Behaviour): void {
    this.behaviours.set(definition, behaviour);
  }

  reply(command: CommandMessage, answer: Exclude<ReturnType<Behaviour>, 'drop'>, messageId = randomUUID()): ReplyMessage {
    return { protocolVersion: 1, messageId, correlationId: command.messageId, sagaId: command.sagaId, step: command.step, action: command.action, attempt: command.attempt, ...answer };
  }

  /** Publishes raw bytes or a reply to the coordinator's reply topic. */
  async sendRaw(value: string, key = 'raw'): Promise<void> {
    await this.bus.publish([{ topic: topicNames(this.prefix).replies, key, value }]);
  }

  commandsOf(sagaId: string): CommandMessage[] {
    return this.received.filter((r) => r.command.sagaId === sagaId).map((r) => r.command);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.bus.disconnect();
  }
}
