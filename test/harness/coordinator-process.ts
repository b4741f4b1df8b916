// Running a throwaway coordinator as a child process (the demo's and the benchmark's):
// its environment, a free port, its readiness, and removing its topics afterwards.
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';

export const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

export interface CoordinatorProcessSettings {
  databaseUrl: string;
  brokers: string;
  prefix: string;
  partitions: number;
  port: number;
  logLevel?: string;
}

/** Overrides everything that could point it at a real deployment (group, prefix, database, API keys). */
export function coordinatorEnv(s: CoordinatorProcessSettings): Record<string, string> {
  return {
    DATABASE_URL: s.databaseUrl,
    KAFKA_BROKERS: s.brokers,
    KAFKA_TOPIC_PREFIX: s.prefix,
    KAFKA_CONSUMER_GROUP: `${s.prefix}-coordinator`,
    KAFKA_PARTITIONS: String(s.partitions),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(s.port),
    LOG_LEVEL: s.logLevel ?? 'warn',
    LOG_FORMAT: 'json',
    // A throwaway coordinator on loopback only: it needs no API key (and prints none).
    API_AUTH: 'disabled',
    API_KEYS: '',
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export async function coordinatorReady(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** Registers a saga definition through the coordinator's API; null when it was accepted (201, or 200 for one already there), else why not. */
export async function registerDefinition(port: number, definition: unknown): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/definitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(definition) });
  return res.status === 201 || res.status === 200 ? null : `HTTP ${res.status} ${await res.text()}`;
}

/** KafkaBus has no delete on purpose (the coordinator never deletes topics); throwaway runs clean up after themselves. */
export async function deleteTopics(brokers: string, topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'saga-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';
  readonly retriable = false;
}

/** Polls `probe` until it holds; fails early with what `failed` reports (a crashed child). */
export async function waitUntil(what: string, timeoutMs: number, failed: () => string | undefined, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    const failure = failed();
    if (failure) throw new StartupError(failure);
    if (Date.now() > deadline) throw new StartupError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Removes the consumer groups whose id starts with `prefix` (a run's coordinator, participant and driver groups). */
export async function deleteConsumerGroups(brokers: string, prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'saga-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (ours.length > 0) await admin.deleteGroups(ours);
  } finally {
    await admin.disconnect();
  }
}
