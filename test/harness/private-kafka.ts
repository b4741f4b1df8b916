// A Kafka broker of one run's own: a single-node KRaft broker (the jars and the
// server.properties that docker/infra.js uses) on private loopback ports with its own
// data directory, so a test can stop it (SIGTERM: controlled shutdown; SIGKILL: a crash)
// and start it again on the same data, without touching the shared broker.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const KAFKA_DOCKER_DIR = join(ROOT, 'docker', 'kafka');
/** Where docker/infra.js resolves the broker jars; shared by every run. */
const LIB_DIR = join(ROOT, '.local', 'kafka', 'lib');
const READY_TIMEOUT_MS = 120_000;

export interface PrivateKafkaOptions {
  /** Directory of the broker (created; holds data/, server.properties and broker.log). */
  dir: string;
  port: number;
  controllerPort: number;
  /** @default 512 */
  heapMb?: number;
}

export class PrivateKafkaError extends Error {
  readonly code = 'PRIVATE_KAFKA_FAILED';
  readonly retriable = false;
}

/** The jars of docker/kafka/pom.xml, resolved once with Maven (cached in ~/.m2) into .local/kafka/lib, as docker/infra.js does. */
export async function resolveKafkaJars(): Promise<string> {
  if (existsSync(join(LIB_DIR, '.complete'))) return LIB_DIR;
  rmSync(LIB_DIR, { recursive: true, force: true });
  try {
    await run('mvn', ['-B', '-q', '-f', join(KAFKA_DOCKER_DIR, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${LIB_DIR}`], { timeout: 600_000 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new PrivateKafkaError(`Maven could not resolve the Kafka jars (Java 17 and Maven are needed): ${(e.stdout ?? '') + (e.stderr ?? '') || e.message}`);
  }
  writeFileSync(join(LIB_DIR, '.complete'), new Date().toISOString());
  return LIB_DIR;
}

/** docker/kafka/server.properties with this broker's ports and data directory. */
export function brokerProperties(template: string, o: { port: number; controllerPort: number; dataDir: string }): string {
  const text = template.replaceAll('@LOG_DIRS@', o.dataDir).replaceAll('127.0.0.1:9092', `127.0.0.1:${o.port}`).replaceAll('127.0.0.1:9093', `127.0.0.1:${o.controllerPort}`);
  if (!text.includes(`PLAINTEXT://127.0.0.1:${o.port}`) || !text.includes(`1@127.0.0.1:${o.controllerPort}`)) {
    throw new PrivateKafkaError('docker/kafka/server.properties no longer names 127.0.0.1:9092 / :9093 in its listeners; update private-kafka.ts');
  }
  return text;
}

function clusterId(): string {
  // 16 random bytes, URL-safe base64; a leading '-' confuses the storage tool's argument parser.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export class PrivateKafka {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private readonly dataDir: string;
  private readonly propsFile: string;
  readonly logFile: string;

  private constructor(
    private readonly options: PrivateKafkaOptions,
    private readonly libDir: string,
  ) {
    this.dataDir = join(options.dir, 'data');
    this.propsFile = join(options.dir, 'server.properties');
    this.logFile = join(options.dir, 'broker.log');
  }

  /** Formats a fresh data directory and starts the broker; resolves once it answers. */
  static async create(options: PrivateKafkaOptions): Promise<PrivateKafka> {
    const libDir = await resolveKafkaJars();
    const kafka = new PrivateKafka(options, libDir);
    mkdirSync(options.dir, { recursive: true });
    const template = readFileSync(join(KAFKA_DOCKER_DIR, 'server.properties'), 'utf8');
    writeFileSync(kafka.propsFile, brokerProperties(template, { port: options.port, controllerPort: options.controllerPort, dataDir: kafka.dataDir }));
    if (!existsSync(join(kafka.dataDir, 'meta.properties'))) {
      try {
        await run('java', ['-cp', `${libDir}/*`, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', kafka.propsFile], { timeout: 120_000 });
      } catch (err) {
        throw new PrivateKafkaError(`formatting the Kafka data directory failed: ${(err as Error & { stderr?: string }).stderr ?? (err as Error).message}`);
      }
    }
    await kafka.start();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.isRunning() ? this.child?.pid : undefined;
  }

  isRunning(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the broker on its existing data directory; resolves once a client gets cluster metadata from it. */
  async start(): Promise<void> {
    if (this.isRunning()) return;
    const out = openSync(this.logFile, 'a');
    // Its own process group: a Ctrl-C in the terminal reaches the run, which stops the broker in order.
    const child = spawn(
      'java',
      [
        `-Xms256m`,
        `-Xmx${this.options.heapMb ?? 512}m`,
        '-XX:+UseG1GC',
        `-Dlog4j.configuration=file:${join(KAFKA_DOCKER_DIR, 'log4j.properties')}`,
        '-cp',
        `${this.libDir}/*`,
        'kafka.Kafka',
        this.propsFile,
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    // For whoever finds the directory after its owner died (the chaos run prunes such leftovers).
    writeFileSync(join(this.options.dir, 'broker.pid'), String(child.pid));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await this.answers())) {
      if (!this.isRunning()) throw new PrivateKafkaError(`the broker exited while starting; see ${this.logFile}`);
      if (Date.now() > deadline) throw new PrivateKafkaError(`the broker did not answer on ${this.brokers} within ${READY_TIMEOUT_MS / 1000} s; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGTERM: a controlled shutdown (SIGKILL after `graceMs`); SIGKILL: a crash. Resolves once the process is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', graceMs = 60_000): Promise<void> {
    if (!this.isRunning()) return;
    const child = this.child!;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Last resort when the owning process exits: synchronous. */
  killNow(): void {
    if (this.isRunning()) this.child!.kill('SIGKILL');
  }

  /** Stops the broker and deletes its directory. */
  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.options.dir, { recursive: true, force: true });
  }

  /** The broker serves metadata with a controller (it is the single node of its own quorum). */
  async answers(timeoutMs = 3_000): Promise<boolean> {
    const admin = new Kafka({
      clientId: 'private-kafka-probe',
      brokers: [this.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller !== undefined;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
