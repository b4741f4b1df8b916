// The log lines an operator reads about sagas, from the coordinator run as users run it
// (its own process, JSON logs at info): saga started, step timed out, compensation
// started, saga FAILED (warn, with the reason), a message dead-lettered (warn, with the
// reason) and an operator action (with the actor), each with sagaId, definition, step
// and attempt fields; and no line per successful message.
import { topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { randomPort, startCoordinatorProcess, waitForReady, type CoordinatorProcess } from '../../support/coordinator-process';
import { waitFor } from '../../support/saga-waits';
import { TestParticipants } from '../../support/test-participant';
import { createTestDatabase, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';

const KEY = `sck_${'k'.repeat(40)}`;

interface LogLine {
  level: number;
  msg: string;
  context?: string;
  sagaId?: string;
  definition?: string;
  step?: string;
  attempt?: number;
  actor?: string;
  reason?: string;
  reasonCode?: string;
  [field: string]: unknown;
}

describe('saga-aware logs', () => {
  let db: TestDatabase;
  let svc: CoordinatorProcess;
  let participants: TestParticipants;
  let base: string;
  const prefix = uniqueName('logs');

  const lines = (): LogLine[] =>
    svc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': uniqueName('k') }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    db = await createTestDatabase('saga_logs');
    participants = new TestParticipants(prefix, ['orders', 'payments']);
    await participants.start();
    const port = randomPort();
    base = `http://127.0.0.1:${port}`;
    svc = startCoordinatorProcess({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '2', API_KEYS: `ops:admin:${KEY}` });
    expect(await waitForReady(port, 60_000)).toBe(200);
  });

  afterAll(async () => {
    svc?.child.kill('SIGTERM');
    await svc?.exited;
    await participants?.stop();
    await db?.drop();
  });

  it('tells the story of a saga that ends FAILED, and says nothing about one that went well', async () => {
    const name = uniqueName('logged').replace(/_/g, '-');
    const step = (n: string, participant: string) => ({ name: n, participant, command: `${n}.do`, compensation: `${n}.undo`, timeoutMs: 800, retry: { maxAttempts: 1, minRetryWindowMs: 0 } });
    await api('POST', '/v1/definitions', { name, maxCompensationAttempts: 1, minCompensationWindowMs: 0, steps: [step('reserve', 'orders'), step('charge', 'payments')] });
    // "bad" sagas: charge never answers (timed out), and no compensation answers either (FAILED).
    participants.on(name, (cmd) => ((cmd.step === 'charge' && (cmd.payload as { bad?: boolean }).bad) || cmd.action === 'compensate' ? 'drop' : { outcome: 'success', output: { ok: true } }));
    const good = (await api('POST', '/v1/sagas', { definition: name, input: { bad: false } })).sagaId as string;
    const bad = (await api('POST', '/v1/sagas', { definition: name, input: { bad: true } })).sagaId as string;

    const failed = await waitFor('the FAILED line', async () => lines().find((l) => l.sagaId === bad && l.msg.startsWith('saga FAILED')), 40_000);
    expect(failed).toMatchObject({ level: 40, definition: name, status: 'FAILED', reason: 'COMPENSATION_ATTEMPTS_EXHAUSTED' });
    expect(failed.step).toEqual(expect.any(String));
    expect(failed.attempt).toEqual(expect.any(Number));

    const of = (sagaId: string) => lines().filter((l) => l.sagaId === sagaId);
    expect(of(bad).find((l) => l.msg === 'saga started')).toMatchObject({ level: 30, definition: name, actor: 'api-key:ops' });
    expect(of(bad).find((l) => l.msg.startsWith('step charge timed out'))).toMatchObject({ level: 30, definition: name, step: 'charge', attempt: 1, action: 'execute' });
    expect(of(bad).find((l) => l.msg.startsWith('compensation started'))).toMatchObject({ level: 30, definition: name, step: 'charge', cause: 'step-failed' });

    await api('POST', `/v1/sagas/${bad}/resume`, { reason: 'the payments team fixed the refund' });
    const action = await waitFor('the operator line', async () => of(bad).find((l) => l.msg.startsWith('operator action')));
    expect(action).toMatchObject({ level: 30, definition: name, action: 'ResumeRequested', actor: 'api-key:ops', reason: 'the payments team fixed the refund', verdict: 'applied' });

    // Scrapes are not logged (one every few seconds would drown the rest); API calls are.
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    await waitFor('the request line of the resume', async () => (lines().some((l) => (l.req as { url?: string } | undefined)?.url?.endsWith('/resume')) ? true : undefined));
    expect(lines().filter((l) => (l.req as { url?: string } | undefined)?.url === '/metrics')).toEqual([]);

    // The good saga: one line, its start; nothing per command or reply.
    await waitFor('the good saga completed', async () => ((await api('GET', `/v1/sagas/${good}`)).status === 'COMPLETED' ? true : undefined));
    expect(of(good).map((l) => l.msg)).toEqual(['saga started']);
  });

  it('warns about a dead-lettered message with its reason', async () => {
    const bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'logs-test' });
    await bus.connect();
    try {
      await bus.publish([{ topic: topicNames(prefix).replies, key: 'k', value: 'not json' }]);
    } finally {
      await bus.disconnect();
    }
    const line = await waitFor('the dead-letter line', async () => lines().find((l) => l.reasonCode === 'MALFORMED_REPLY'));
    expect(line).toMatchObject({ level: 40, topic: topicNames(prefix).replies, msg: 'message dead-lettered: MALFORMED_REPLY' });
    expect(line.reason).toMatch(/not valid JSON/);
  });
});
