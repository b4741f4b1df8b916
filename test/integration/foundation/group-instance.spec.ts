// A restarted member that names its instance takes over at once: the member its killed
// predecessor left is removed, instead of holding its partitions for the session timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { KafkaBus, type ConsumerGroupState } from '@saga-coordinator/participant/kafka';
import { infraEnv, uniqueName } from '../../support/test-infra';

const SESSION_TIMEOUT_MS = 30_000;
const FIXTURE = join(__dirname, 'fixtures', 'instance-subscriber.ts');

function startMember(groupId: string, topic: string, instanceId: string): { child: ChildProcess; output: () => string; subscribed: Promise<void> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', FIXTURE, infraEnv().KAFKA_BROKERS, groupId, topic, instanceId], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const subscribed = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('subscribed\n')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`member exited with ${code}:\n${out}`)));
  });
  return { child, output: () => out, subscribed };
}

async function until(read: () => Promise<ConsumerGroupState>, done: (g: ConsumerGroupState) => boolean, timeoutMs: number): Promise<ConsumerGroupState> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

describe('a consumer-group member with an instance id', () => {
  let bus: KafkaBus;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'eviction-survivor' });
    await bus.connect();
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await bus.disconnect();
  });

  it('removes the member its SIGKILLed predecessor left, so the partitions move long before the session timeout', async () => {
    const topic = uniqueName('eviction');
    const groupId = uniqueName('eviction-group');
    await bus.ensureTopics([{ topic, partitions: 4, replicationFactor: 1 }]);
    const survivor = await bus.subscribe({ groupId, topics: [topic], sessionTimeoutMs: SESSION_TIMEOUT_MS, handleBatch: async () => undefined });
    try {
      const first = startMember(groupId, topic, 'replica-a');
      children.push(first.child);
      await first.subscribed;
      const read = async () => (await bus.describeGroups([groupId]))[0];
      const twoMembers = (g: ConsumerGroupState) => g.state === 'Stable' && g.members.length === 2;
      const before = await until(read, twoMembers, 20_000);
      expect(before.members.map((m) => m.clientId).sort()).toEqual(['eviction-survivor', 'eviction-test#replica-a']);
      const killed = before.members.find((m) => m.clientId === 'eviction-test#replica-a')!.memberId;

      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const killedAt = Date.now();
      const second = startMember(groupId, topic, 'replica-a');
      children.push(second.child);
      await second.subscribed;

      // Without the removal the killed member stays until its session expires, and the rebalance the
      // restart starts waits for it: the restarted member's join, and so a Stable group of two live
      // members, comes SESSION_TIMEOUT_MS after the kill (measured: 30.0 s; with the removal 5.0 s,
      // most of it the fixture's ts-node start). The bound is that behaviour, not a speed figure.
      const after = await until(read, (g) => twoMembers(g) && !g.members.some((m) => m.memberId === killed), 5_000);
      expect(Date.now() - killedAt).toBeLessThan(SESSION_TIMEOUT_MS - 5_000);
      expect(after.state).toBe('Stable');
      expect(after.members.map((m) => m.memberId)).not.toContain(killed);
      expect(after.members.map((m) => m.clientId).sort()).toEqual(['eviction-survivor', 'eviction-test#replica-a']);
      // Every partition is held by a live member.
      expect(after.members.flatMap((m) => m.assignment[topic] ?? []).sort()).toEqual([0, 1, 2, 3]);
      expect(second.output()).toContain('removed 1 member(s) an earlier run of instance replica-a left');
    } finally {
      await survivor.stop();
    }
  }, 90_000);
});
