#!/usr/bin/env node
// Local infrastructure for development and tests: finds or starts the PostgreSQL
// and Kafka the coordinator needs, and records what it chose in .local/infra.env
// (read by the coordinator's config as defaults, below real environment variables).
//
//   node docker/infra.js up      # idempotent: reuse what answers, start what is missing
//   node docker/infra.js down    # stop only what this script started
//   node docker/infra.js status
//
// Order of preference, PostgreSQL: DATABASE_URL if it answers; 127.0.0.1:5432;
// a private cluster (initdb) on port 55432 where PostgreSQL binaries exist. Only the
// default database (saga_coordinator) is created; another name in DATABASE_URL must
// exist already, so that a typo is reported rather than silently created.
// Kafka: KAFKA_BROKERS if it answers; 127.0.0.1:9092 if it answers; the compose
// file in docker/ where a Docker engine answers; else a single-node KRaft broker
// run from Apache Kafka jars that Maven resolves from Maven Central. The probes use
// the coordinator's TLS and SASL settings (DATABASE_SSL, KAFKA_SSL, KAFKA_SASL_*).
//
// .local/infra.env records only what this script found or started: a value given in
// DATABASE_URL or KAFKA_BROKERS is used, never recorded, so that preparing a second
// coordinator with its own variables does not redirect the first one.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..');
const LOCAL = path.join(ROOT, '.local');
const INFRA_ENV = path.join(LOCAL, 'infra.env');
const KAFKA_DIR = path.join(LOCAL, 'kafka');
const PG_DIR = path.join(LOCAL, 'postgres');
const DEFAULT_DATABASE = 'saga_coordinator';
const LOCAL_PG_URL = `postgres://postgres@127.0.0.1:5432/${DEFAULT_DATABASE}`;
const PRIVATE_PG_PORT = 55432;
const LOCAL_KAFKA = '127.0.0.1:9092';
const KAFKA_READY_TIMEOUT_MS = 120_000;

class InfraError extends Error {}

function log(message) {
  process.stdout.write(`[infra] ${message}\n`);
}

/** The coordinator's reading of a boolean variable (src/config/app-config.ts). */
function envFlag(env, name) {
  return ['true', '1', 'yes'].includes(String(env[name] ?? '').trim().toLowerCase());
}

/** pg client options for a probe: the coordinator's DATABASE_SSL rule (TLS, certificate verified). */
function pgProbeOptions(url, env = process.env) {
  return { connectionString: url, connectionTimeoutMillis: 2000, ssl: envFlag(env, 'DATABASE_SSL') ? { rejectUnauthorized: true } : undefined };
}

/** kafkajs options for a probe: the coordinator's KAFKA_SSL and KAFKA_SASL_* settings. */
function kafkaProbeOptions(brokers, timeoutMs, env = process.env) {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  return {
    clientId: 'saga-infra-probe',
    brokers: brokers.split(',').map((b) => b.trim()),
    ssl: envFlag(env, 'KAFKA_SSL'),
    sasl: mechanism ? { mechanism, username: env.KAFKA_SASL_USERNAME ?? '', password: env.KAFKA_SASL_PASSWORD ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  };
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function tcpAnswers(hostPort, timeoutMs = 1000) {
  const [host, port] = splitHostPort(hostPort);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function splitHostPort(hostPort) {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i), Number(hostPort.slice(i + 1))];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- PostgreSQL

async function pgAnswers(url) {
  const { Client } = require('pg');
  const client = new Client(pgProbeOptions(url));
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (err) {
    // The server answered but the database is missing: we can create it.
    if (err && err.code === '3D000') return { ok: true, missingDatabase: true };
    return { ok: false, reason: err && err.message ? err.message : String(err) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || DEFAULT_DATABASE;
}

/** How to create a database by hand, for a message (createdb ships with every PostgreSQL client). */
function createDatabaseHint(url) {
  const u = new URL(url);
  const user = u.username ? ` -U ${decodeURIComponent(u.username)}` : '';
  return `createdb -h ${u.hostname} -p ${u.port || 5432}${user} ${databaseName(url)}`;
}

async function ensureDatabase(url) {
  const { Client } = require('pg');
  const dbName = databaseName(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ ...pgProbeOptions(admin.toString()), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [dbName]);
    if (exists.rowCount > 0) return;
    if (dbName !== DEFAULT_DATABASE) {
      throw new InfraError(
        `the database "${dbName}" named in DATABASE_URL=${redact(url)} does not exist. ` +
          `infra:up creates only the default database ${DEFAULT_DATABASE}; create this one yourself (\`${createDatabaseHint(url)}\`), or correct its name in DATABASE_URL.`,
      );
    }
    // Identifiers cannot be bound as parameters; quote it as PostgreSQL does.
    await client.query(`create database "${dbName.replace(/"/g, '""')}"`);
    log(`created database ${dbName}`);
  } catch (err) {
    if (err.code !== '42P04') throw err; // created concurrently by another process
  } finally {
    await client.end();
  }
}

function findPgBin(name) {
  if (commandExists(name)) return name;
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs.readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const candidate = path.join(base, v, 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** initdb and postgres refuse to run as root; run them as the postgres user when we are root. */
function pgCommand(bin, args) {
  if (process.getuid && process.getuid() === 0) {
    return ['runuser', ['-u', 'postgres', '--', bin, ...args]];
  }
  return [bin, args];
}

async function startPrivatePostgres() {
  const initdb = findPgBin('initdb');
  const pgCtl = findPgBin('pg_ctl');
  if (!initdb || !pgCtl) {
    throw new InfraError(
      'No PostgreSQL answers (DATABASE_URL unset or unreachable, nothing on 127.0.0.1:5432) and no PostgreSQL binaries were found: install PostgreSQL (e.g. `apt-get install postgresql`) or set DATABASE_URL.',
    );
  }
  const dataDir = path.join(PG_DIR, 'data');
  const url = `postgres://postgres@127.0.0.1:${PRIVATE_PG_PORT}/${DEFAULT_DATABASE}`;
  if ((await pgAnswers(url)).ok) return url;
  fs.mkdirSync(PG_DIR, { recursive: true });
  if (process.getuid && process.getuid() === 0) spawnSync('chown', ['-R', 'postgres', PG_DIR]);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log('initialising a private PostgreSQL cluster in .local/postgres');
    const [cmd, args] = pgCommand(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new InfraError(`initdb failed: ${r.stderr || r.stdout}`);
  }
  log(`starting the private PostgreSQL on 127.0.0.1:${PRIVATE_PG_PORT}`);
  const [cmd, args] = pgCommand(pgCtl, [
    '-D', dataDir, '-l', path.join(PG_DIR, 'postgres.log'), '-w',
    '-o', `-p ${PRIVATE_PG_PORT} -k ${PG_DIR} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    'start',
  ]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new InfraError(`pg_ctl start failed: ${r.stderr || r.stdout}; see .local/postgres/postgres.log`);
  fs.writeFileSync(path.join(PG_DIR, 'started-by-infra'), dataDir);
  return url;
}

async function resolvePostgres() {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    const r = await pgAnswers(url);
    if (!r.ok) throw new InfraError(`DATABASE_URL=${redact(url)} does not answer: ${r.reason}`);
    log(`PostgreSQL: using DATABASE_URL ${redact(url)}`);
    return { url, source: 'DATABASE_URL' };
  }
  if ((await pgAnswers(LOCAL_PG_URL)).ok) {
    log('PostgreSQL: using the local server at 127.0.0.1:5432');
    return { url: LOCAL_PG_URL, source: 'local' };
  }
  const url = await startPrivatePostgres();
  log(`PostgreSQL: using the private cluster at 127.0.0.1:${PRIVATE_PG_PORT}`);
  return { url, source: 'private' };
}

// ---------------------------------------------------------------- Kafka

async function kafkaAnswers(brokers, timeoutMs = 3000) {
  // A bare TCP check first: kafkajs spends seconds on a refused port.
  const first = brokers.split(',')[0].trim();
  if (!(await tcpAnswers(first))) return false;
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({ ...kafkaProbeOptions(brokers, timeoutMs), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
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

async function waitForKafka(brokers, describe, isAlive) {
  const deadline = Date.now() + KAFKA_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await kafkaAnswers(brokers)) return;
    if (isAlive && !isAlive()) throw new InfraError(`${describe} exited before it answered; see its log`);
    await sleep(500);
  }
  throw new InfraError(`${describe} did not answer on ${brokers} within ${KAFKA_READY_TIMEOUT_MS / 1000}s`);
}

function dockerEngineAnswers() {
  if (!commandExists('docker')) return false;
  if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status !== 0) return false;
  // An engine without the compose plugin cannot run docker/compose.yaml.
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

async function startComposeKafka() {
  log('Kafka: starting the kafka service of docker/compose.yaml');
  const r = spawnSync('docker', ['compose', '-f', path.join(__dirname, 'compose.yaml'), 'up', '-d', 'kafka'], { stdio: 'inherit' });
  if (r.status !== 0) throw new InfraError('`docker compose up -d kafka` failed; see its output above');
  await waitForKafka(LOCAL_KAFKA, 'the Docker Kafka broker');
  fs.mkdirSync(KAFKA_DIR, { recursive: true });
  fs.writeFileSync(path.join(KAFKA_DIR, 'started-by-infra'), 'docker');
}

function resolveKafkaJars(libDir) {
  const marker = path.join(libDir, '.complete');
  if (fs.existsSync(marker)) return;
  log('Kafka: resolving Apache Kafka 3.9 jars from Maven Central (first run only)');
  fs.rmSync(libDir, { recursive: true, force: true });
  const r = spawnSync(
    'mvn',
    ['-B', '-q', '-f', path.join(__dirname, 'kafka', 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libDir}`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new InfraError(`Maven could not resolve the Kafka jars:\n${r.stdout}${r.stderr}`);
  fs.writeFileSync(marker, new Date().toISOString());
}

function brokerProperties(dataDir) {
  const template = fs.readFileSync(path.join(__dirname, 'kafka', 'server.properties'), 'utf8');
  return template.replaceAll('@LOG_DIRS@', dataDir);
}

function newClusterId() {
  // 16 random bytes, URL-safe base64 without padding; a leading '-' confuses the CLI's argument parser.
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function startLocalKafka() {
  if (!commandExists('java')) {
    throw new InfraError('Kafka is not reachable and cannot be started here: install Java 17 or newer (e.g. `apt-get install openjdk-17-jre-headless`) and Maven, or Docker, or set KAFKA_BROKERS.');
  }
  if (!commandExists('mvn')) {
    throw new InfraError('Kafka is not reachable and cannot be started here: install Maven (e.g. `apt-get install maven`), or Docker, or set KAFKA_BROKERS.');
  }
  const libDir = path.join(KAFKA_DIR, 'lib');
  const dataDir = path.join(KAFKA_DIR, 'data');
  const propsFile = path.join(KAFKA_DIR, 'server.properties');
  const pidFile = path.join(KAFKA_DIR, 'broker.pid');
  const logFile = path.join(KAFKA_DIR, 'broker.log');
  fs.mkdirSync(KAFKA_DIR, { recursive: true });
  resolveKafkaJars(libDir);
  fs.writeFileSync(propsFile, brokerProperties(dataDir));
  const classpath = `${libDir}/*`;
  if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const clusterId = newClusterId();
    const r = spawnSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile], { encoding: 'utf8' });
    if (r.status !== 0) throw new InfraError(`formatting the Kafka data dir failed:\n${r.stdout}${r.stderr}`);
  }
  log(`Kafka: starting a single-node KRaft broker on ${LOCAL_KAFKA} (log: .local/kafka/broker.log)`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'java',
    ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j.configuration=file:${path.join(__dirname, 'kafka', 'log4j.properties')}`, '-cp', classpath, 'kafka.Kafka', propsFile],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.writeFileSync(pidFile, String(child.pid));
  fs.writeFileSync(path.join(KAFKA_DIR, 'started-by-infra'), 'local');
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitForKafka(LOCAL_KAFKA, 'the local Kafka broker', () => !exited);
}

async function resolveKafka() {
  if (process.env.KAFKA_BROKERS) {
    const brokers = process.env.KAFKA_BROKERS;
    if (!(await kafkaAnswers(brokers))) {
      const security = envFlag(process.env, 'KAFKA_SSL') || process.env.KAFKA_SASL_MECHANISM ? ' (with the KAFKA_SSL / KAFKA_SASL_* settings given)' : '';
      throw new InfraError(`KAFKA_BROKERS=${brokers} does not answer${security}`);
    }
    log(`Kafka: using KAFKA_BROKERS ${brokers}`);
    return { brokers, source: 'KAFKA_BROKERS' };
  }
  if (await kafkaAnswers(LOCAL_KAFKA)) {
    log(`Kafka: using the broker already answering on ${LOCAL_KAFKA}`);
    return { brokers: LOCAL_KAFKA, source: 'local' };
  }
  if (readPid(path.join(KAFKA_DIR, 'broker.pid'))) {
    // Our broker is starting (another `up` raced us, or it is still booting): wait for it.
    await waitForKafka(LOCAL_KAFKA, 'the local Kafka broker');
    return { brokers: LOCAL_KAFKA, source: 'jars' };
  }
  if (dockerEngineAnswers()) {
    await startComposeKafka();
    return { brokers: LOCAL_KAFKA, source: 'docker' };
  }
  await startLocalKafka();
  return { brokers: LOCAL_KAFKA, source: 'jars' };
}

// ---------------------------------------------------------------- commands

async function up() {
  fs.mkdirSync(LOCAL, { recursive: true });
  const pg = await resolvePostgres();
  await ensureDatabase(pg.url);
  const kafka = await resolveKafka();
  const recorded = readInfraEnv();
  if (pg.source !== 'DATABASE_URL') recorded.DATABASE_URL = pg.url;
  if (kafka.source !== 'KAFKA_BROKERS') recorded.KAFKA_BROKERS = kafka.brokers;
  const lines = Object.entries(recorded).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(INFRA_ENV, `# written by docker/infra.js up; real environment variables win over these\n${lines.join('\n')}\n`);
  log('ready');
}

function readInfraEnv() {
  const out = {};
  if (!fs.existsSync(INFRA_ENV)) return out;
  for (const line of fs.readFileSync(INFRA_ENV, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function stopPid(pidFile, name) {
  const pid = readPid(pidFile);
  if (!pid) return false;
  log(`stopping ${name} (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      fs.rmSync(pidFile, { force: true });
      return true;
    }
    await sleep(200);
  }
  log(`${name} did not stop in 30s; killing it`);
  process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile, { force: true });
  return true;
}

async function down() {
  const kafkaMarker = path.join(KAFKA_DIR, 'started-by-infra');
  if (fs.existsSync(kafkaMarker)) {
    const how = fs.readFileSync(kafkaMarker, 'utf8');
    if (how === 'docker') {
      spawnSync('docker', ['compose', '-f', path.join(__dirname, 'compose.yaml'), 'stop', 'kafka'], { stdio: 'inherit' });
    } else {
      await stopPid(path.join(KAFKA_DIR, 'broker.pid'), 'the local Kafka broker');
    }
    fs.rmSync(kafkaMarker, { force: true });
  }
  const pgMarker = path.join(PG_DIR, 'started-by-infra');
  if (fs.existsSync(pgMarker)) {
    const pgCtl = findPgBin('pg_ctl');
    if (pgCtl) {
      const [cmd, args] = pgCommand(pgCtl, ['-D', path.join(PG_DIR, 'data'), '-m', 'fast', 'stop']);
      spawnSync(cmd, args, { stdio: 'inherit' });
    }
    fs.rmSync(pgMarker, { force: true });
  }
  fs.rmSync(INFRA_ENV, { force: true });
  log('down');
}

async function status() {
  const env = fs.existsSync(INFRA_ENV) ? fs.readFileSync(INFRA_ENV, 'utf8') : '';
  const pick = (k) => process.env[k] || (env.match(new RegExp(`^${k}=(.*)$`, 'm')) || [])[1];
  const dbUrl = pick('DATABASE_URL') || LOCAL_PG_URL;
  const brokers = pick('KAFKA_BROKERS') || LOCAL_KAFKA;
  const pg = await pgAnswers(dbUrl);
  const kafkaOk = await kafkaAnswers(brokers);
  log(`PostgreSQL ${redact(dbUrl)}: ${pg.ok ? (pg.missingDatabase ? 'answers (database not created yet)' : 'up') : `down (${pg.reason})`}`);
  log(`Kafka ${brokers}: ${kafkaOk ? 'up' : 'down'}${readPid(path.join(KAFKA_DIR, 'broker.pid')) ? ' (local broker started by infra)' : ''}`);
  return pg.ok && kafkaOk;
}

async function main() {
  const cmd = process.argv[2];
  try {
    if (cmd === 'up') await up();
    else if (cmd === 'down') await down();
    else if (cmd === 'status') process.exitCode = (await status()) ? 0 : 1;
    else {
      process.stderr.write('usage: node docker/infra.js up|down|status\n');
      process.exitCode = 2;
    }
  } catch (err) {
    if (err instanceof InfraError) {
      process.stderr.write(`[infra] ${err.message}\n`);
    } else if (err && err.code === 'MODULE_NOT_FOUND') {
      process.stderr.write('[infra] dependencies are missing: run `npm ci` first.\n');
    } else {
      process.stderr.write(`[infra] ${err && err.stack ? err.stack : err}\n`);
    }
    process.exitCode = 1;
  }
}

if (require.main === module) main();

module.exports = { DEFAULT_DATABASE, PRIVATE_PG_PORT, LOCAL_KAFKA, pgProbeOptions, kafkaProbeOptions, createDatabaseHint };
