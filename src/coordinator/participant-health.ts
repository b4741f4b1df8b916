// Who is alive among the participants the coordinator sends to, as Kafka sees it: for
// each command topic, the consumer group members that hold its partitions and how far
// behind they are. A participant whose command topic no member holds is not consuming:
// its attempts' timers are held back (an attempt does not time out, and no new attempt
// is sent, while nobody reads them) until a member holds the topic again. Read through
// the admin API every few seconds; any replica sees the same picture.
//
// Only the groups known to consume a command topic are described on every poll: describing
// every group of the cluster costs a FindCoordinator request per group (kafkajs), and a
// shared cluster holds hundreds (this machine's broker: 163 groups, 40 % of the
// coordinator's Kafka requests with one saga in flight). All groups are listed again every
// DISCOVERY_EVERY_MS, and sooner while a command topic has no known consumer.
import type { ConsumerGroupState, KafkaBus } from '@saga-coordinator/participant/kafka';
import type { TopicNames } from '@saga-coordinator/participant/protocol';

export type ParticipantStatus = 'healthy' | 'slow' | 'not-consuming' | 'unknown';

export interface ParticipantConsumption {
  participant: string;
  commandTopic: string;
  /**
   * Groups holding the topic's partitions, with their members and lag (messages not yet
   * consumed). When none holds it: the group that last did (0 members), or, if none ever
   * did since this replica started, `groupId` null and every command written as lag.
   */
  groups: { groupId: string | null; members: number; lag: number }[];
  /** The group that last held the topic, kept so that its lag can still be read while it is gone. */
  lastGroupId: string | null;
  status: ParticipantStatus;
  /** When a member last held the topic (epoch ms), or null. */
  lastSeenConsumingAt: number | null;
}

/** A group whose committed offsets did not move while messages waited this long is slow. */
const SLOW_AFTER_MS = 30_000;

/** Every group of the cluster is described this often, to find a participant that moved to another group. */
const DISCOVERY_EVERY_MS = 30_000;

/** ... and this often while a command topic has no known consumer (a new participant, or one that is down). */
const DISCOVERY_WHILE_UNHELD_MS = 5_000;

export class ParticipantHealth {
  private readonly view = new Map<string, ParticipantConsumption>();
  private readonly progress = new Map<string, { committed: bigint; since: number }>();
  /** Groups seen holding a command topic: described on every poll. */
  private readonly knownGroups = new Set<string>();
  private discoveredAt = Number.NEGATIVE_INFINITY;
  private polling = false;

  constructor(
    private readonly bus: KafkaBus,
    private readonly topics: TopicNames,
    private readonly options: { onError?: (err: Error) => void },
  ) {}

  /** Participants nobody consumes for now (their timers wait). */
  notConsuming(): string[] {
    return [...this.view.values()].filter((p) => p.status === 'not-consuming').map((p) => p.participant);
  }

  all(): ParticipantConsumption[] {
    return [...this.view.values()].sort((a, b) => a.participant.localeCompare(b.participant));
  }

  async poll(): Promise<void> {
    if (this.polling || !this.bus.isConnected) return;
    this.polling = true;
    try {
      const prefix = this.topics.commands('');
      const commandTopics = await this.bus.topicsWithPrefix(prefix);
      const now = Date.now();
      const groups = await this.consumerGroups(commandTopics, now);
      for (const topic of commandTopics) {
        const participant = topic.slice(prefix.length);
        const holding = groups.filter((g) => holdsTopic(g, topic));
        const high = await this.bus.topicHighWatermarks(topic);
        const lagOf = async (groupId: string) => {
          const committed = await this.bus.groupOffsets(groupId, topic);
          let lag = 0n;
          let total = 0n;
          for (const [partition, h] of high) {
            const c = committed.get(partition) ?? -1n;
            lag += c < 0n ? h : h - c > 0n ? h - c : 0n;
            total += c < 0n ? 0n : c;
          }
          return { lag: Number(lag), committed: total };
        };
        const measured = await Promise.all(holding.map(async (g) => ({ groupId: g.groupId, members: g.members.length, ...(await lagOf(g.groupId)) })));
        const previous = this.view.get(participant);
        let status: ParticipantStatus = measured.length === 0 ? 'not-consuming' : 'healthy';
        for (const m of measured) {
          const key = `${m.groupId}\u0000${topic}`;
          const seen = this.progress.get(key);
          if (!seen || seen.committed !== m.committed || m.lag === 0) this.progress.set(key, { committed: m.committed, since: now });
          else if (now - seen.since >= SLOW_AFTER_MS && status === 'healthy') status = 'slow';
        }
        const lastGroupId = measured[0]?.groupId ?? previous?.lastGroupId ?? null;
        // Nobody consumes: what waits is still worth showing (against the last group's offsets, else all of it).
        const groupsView =
          measured.length > 0
            ? measured.map(({ groupId, members, lag }) => ({ groupId, members, lag }))
            : [{ groupId: lastGroupId, members: 0, lag: lastGroupId ? (await lagOf(lastGroupId)).lag : Number([...high.values()].reduce((a, b) => a + b, 0n)) }];
        this.view.set(participant, {
          participant,
          commandTopic: topic,
          groups: groupsView,
          lastGroupId,
          status,
          lastSeenConsumingAt: measured.length > 0 ? now : (previous?.lastSeenConsumingAt ?? null),
        });
      }
    } catch (err) {
      this.options.onError?.(err as Error);
    } finally {
      this.polling = false;
    }
  }

  /** The known groups, or every group of the cluster when it is time to look for new ones (see the file's head). */
  private async consumerGroups(commandTopics: string[], now: number): Promise<ConsumerGroupState[]> {
    if (now - this.discoveredAt < DISCOVERY_EVERY_MS) {
      const known = await this.bus.describeGroups([...this.knownGroups]);
      const unheld = commandTopics.some((topic) => !known.some((g) => holdsTopic(g, topic)));
      if (!unheld || now - this.discoveredAt < DISCOVERY_WHILE_UNHELD_MS) return known;
    }
    const all = await this.bus.describeGroups(await this.bus.listGroupIds());
    this.discoveredAt = now;
    for (const g of all) if (commandTopics.some((topic) => holdsTopic(g, topic))) this.knownGroups.add(g.groupId);
    return all.filter((g) => this.knownGroups.has(g.groupId));
  }
}

/** Whether a member of the group holds partitions of the topic. */
function holdsTopic(group: ConsumerGroupState, topic: string): boolean {
  return group.members.some((m) => (m.assignment[topic] ?? m.assignment['*'] ?? []).length > 0);
}
