// Reads every record of a run's topics once the measurement is over, for the per-hop
// breakdown: each record's CreateTime (set by its producer when it sent it), its
// partition and offset, headers and JSON value. Reading afterwards costs the measured
// window nothing.
import { Kafka, logLevel } from 'kafkajs';

export interface TappedRecord {
  topic: string;
  partition: number;
  offset: string;
  /** CreateTime, epoch ms. */
  timestamp: number;
  headers: Record<string, string>;
  value: Record<string, unknown>;
}

export async function readTopics(brokers: string[], groupId: string, topics: string[], timeoutMs = 120_000): Promise<TappedRecord[]> {
  const kafka = new Kafka({ clientId: 'saga-bench-tap', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // Partitions still to read, with the offset that ends them (the high watermark now).
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const records: TappedRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 8 * 1024 * 1024, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading the run's topics took over ${timeoutMs / 1000} s (${remaining.size} partitions unread)`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const id = `${batch.topic}/${batch.partition}`;
            const end = remaining.get(id);
            for (const m of batch.messages) {
              if (end !== undefined && BigInt(m.offset) >= end) break;
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
              let value: Record<string, unknown> = {};
              try {
                value = JSON.parse(m.value?.toString('utf8') ?? '{}') as Record<string, unknown>;
              } catch {
                // not JSON: kept with an empty value (it cannot be matched to a saga)
              }
              records.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, timestamp: Number(m.timestamp), headers, value });
            }
            if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) {
              remaining.delete(id);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
