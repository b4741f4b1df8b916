// Reads, when /metrics is scraped, what lives outside this process's counters: instances
// per status, quarantined sagas and due timers (one grouped query), the outbox backlog,
// the inbound consumer group's lag per partition (Kafka admin) and the pool's use. Each
// source is bounded in time and may fail alone: its gauges keep their last values and
// metrics_scrape_errors_total counts it, so a scrape never hangs on an outage.
import type { KafkaBus } from '@saga-coordinator/participant/kafka';
import type { Pool } from 'pg';
import type { ParticipantConsumption } from '../coordinator/participant-health';
import { readMetricsSnapshot } from '../persistence/metrics-snapshot.repository';
import { outboxBacklog } from '../persistence/outbox.repository';
import type { CoordinatorMetrics } from './coordinator-metrics';

/** A timer due for longer than this counts as overdue (a timer poll is 1 s by default). */
const OVERDUE_AFTER_MS = 5_000;
const SOURCE_TIMEOUT_MS = 2_000;

export interface ScrapeSources {
  pool: Pool;
  bus: KafkaBus;
  groupId: string;
  /** The topics the coordinator's group consumes (replies, start requests). */
  inboundTopics: string[];
  /** Kafka's view of the participants (ParticipantHealth, polled by the coordinator), if the app has one. */
  participants?: () => ParticipantConsumption[];
}

const PARTICIPANT_STATUSES = ['healthy', 'slow', 'not-consuming', 'unknown'] as const;

export class MetricsScraper {
  constructor(
    private readonly metrics: CoordinatorMetrics,
    private readonly sources: ScrapeSources,
  ) {}

  /** The registry in the Prometheus text format, after refreshing the gauges. */
  async render(): Promise<string> {
    await Promise.all([this.bounded('database', () => this.readDatabase()), this.bounded('kafka', () => this.readLag())]);
    this.readPool();
    this.readParticipants();
    return this.metrics.registry.metrics();
  }

  get contentType(): string {
    return this.metrics.registry.contentType;
  }

  private async readDatabase(): Promise<void> {
    const [snapshot, outbox] = await Promise.all([readMetricsSnapshot(this.sources.pool, OVERDUE_AFTER_MS), outboxBacklog(this.sources.pool)]);
    const m = this.metrics;
    m.setStatusCounts(snapshot.statuses);
    m.sagasQuarantinedNow.set(snapshot.quarantined);
    m.timersDue.set(snapshot.timers.due);
    m.timersOverdue.set(snapshot.timers.overdue);
    m.outboxBatches.set(outbox.batches);
    m.outboxMessages.set(outbox.messages);
    m.outboxOldest.set(outbox.oldestAgeSeconds);
  }

  private async readLag(): Promise<void> {
    const { bus, groupId, inboundTopics } = this.sources;
    if (!bus.isConnected) throw new Error('Kafka is not connected');
    const lags = await Promise.all(
      inboundTopics.map(async (topic) => {
        const [high, committed] = await Promise.all([bus.topicHighWatermarks(topic), bus.groupOffsets(groupId, topic)]);
        return [...high].map(([partition, h]) => {
          const c = committed.get(partition) ?? -1n;
          // No committed offset yet: everything written is behind.
          const lag = c < 0n ? h : h > c ? h - c : 0n;
          return { topic, partition: String(partition), lag: Number(lag) };
        });
      }),
    );
    this.metrics.consumerLag.reset();
    for (const l of lags.flat()) this.metrics.consumerLag.set({ topic: l.topic, partition: l.partition }, l.lag);
  }

  /** From the coordinator's last poll of the participants' consumer groups (no Kafka call of its own). */
  private readParticipants(): void {
    const m = this.metrics;
    const all = this.sources.participants?.() ?? [];
    m.participantConsumers.reset();
    m.participantLag.reset();
    m.participantStatus.reset();
    for (const p of all) {
      const group = [...p.groups].sort((a, b) => b.members - a.members)[0];
      m.participantConsumers.set({ participant: p.participant }, group?.members ?? 0);
      m.participantLag.set({ participant: p.participant }, group?.lag ?? 0);
      for (const status of PARTICIPANT_STATUSES) m.participantStatus.set({ participant: p.participant, status }, p.status === status ? 1 : 0);
    }
  }

  private readPool(): void {
    const { totalCount, idleCount, waitingCount } = this.sources.pool;
    this.metrics.poolConnections.set({ state: 'idle' }, idleCount);
    this.metrics.poolConnections.set({ state: 'in_use' }, totalCount - idleCount);
    this.metrics.poolWaiting.set(waitingCount);
  }

  private async bounded(source: string, read: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${source} did not answer within ${SOURCE_TIMEOUT_MS} ms`)), SOURCE_TIMEOUT_MS);
    });
    try {
      await Promise.race([read(), timeout]);
    } catch {
      this.metrics.scrapeErrors.inc({ source });
    } finally {
      clearTimeout(timer);
    }
  }
}
