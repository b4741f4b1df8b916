// docker/compose.yaml, checked by reading it (no Docker engine runs here): Kafka's data goes
// to its volume, every port is published on loopback only, and no host port collides with
// what `npm run infra:up` starts or finds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script, required for its constants
const infra = require('../../../docker/infra.js') as { PRIVATE_PG_PORT: number; LOCAL_KAFKA: string };

interface Service {
  image?: string;
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}
const compose = load(readFileSync(join(__dirname, '..', '..', '..', 'docker', 'compose.yaml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** "127.0.0.1:15432:5432" -> { ip: '127.0.0.1', host: 15432, container: 5432 }; no ip means every interface. */
function published(port: string): { ip?: string; host: number; container: number } {
  const parts = port.split(':');
  const [ip, host, container] = parts.length === 3 ? parts : [undefined, ...parts];
  return { ip, host: Number(host), container: Number(container) };
}

describe('docker/compose.yaml', () => {
  it('runs PostgreSQL, Kafka and the coordinator', () => {
    expect(Object.keys(services).sort()).toEqual(['coordinator', 'kafka', 'postgres']);
  });

  it("keeps Kafka's data in the kafka-data volume: log.dirs is where the volume is mounted", () => {
    const kafka = services.kafka;
    const mount = (kafka.volumes ?? []).map((v) => v.split(':')).find(([source]) => source === 'kafka-data');
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain('kafka-data');
    expect(kafka.environment?.KAFKA_LOG_DIRS).toBe(mount![1]);
    // KRaft formats log.dirs with a cluster id; a fixed one lets a restart reuse the volume.
    expect(String(kafka.environment?.CLUSTER_ID)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const ports = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, ...published(p) })));
    expect(ports.map((p) => p.name).sort()).toEqual(['coordinator', 'kafka', 'postgres']);
    for (const p of ports) expect({ service: p.name, ip: p.ip }).toEqual({ service: p.name, ip: '127.0.0.1' });
  });

  it("uses no host port of infra:up's private PostgreSQL or of a local server, and Kafka where infra:up looks for it", () => {
    const postgres = (services.postgres.ports ?? []).map(published);
    expect(postgres).toHaveLength(1);
    expect(postgres[0].host).not.toBe(infra.PRIVATE_PG_PORT);
    expect(postgres[0].host).not.toBe(5432);
    const kafka = (services.kafka.ports ?? []).map(published);
    expect(kafka.map((p) => `127.0.0.1:${p.host}`)).toEqual([infra.LOCAL_KAFKA]);
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => published(p).host));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('gives the coordinator the compose PostgreSQL and the in-network Kafka listener', () => {
    const env = services.coordinator.environment ?? {};
    expect(String(env.DATABASE_URL)).toMatch(/@postgres:5432\//);
    expect(env.KAFKA_BROKERS).toBe('kafka:19092');
    expect(String(services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain('DOCKER://kafka:19092');
  });
});
