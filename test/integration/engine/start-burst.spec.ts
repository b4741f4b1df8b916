// A burst of starts against the real coordinator: the starts share one read of the
// definition's version marks per cache period. Each reading on its own, 100,000 starts off
// the start topic queued thousands of reads for the pool every second, starved the
// engine's transactions of connections, and stalled intake for good.
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { waitFor } from '../../support/saga-waits';
import { CoordinatorHarness, startCoordinatorHarness } from '../../support/coordinator-harness';
import { infraEnv, uniqueName } from '../../support/test-infra';

describe('a burst of starts', () => {
  let h: CoordinatorHarness;

  beforeAll(async () => {
    h = await startCoordinatorHarness(['burst']);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('reads the definition versions a handful of times, not once per start, and starts every saga', async () => {
    const def: SagaDefinition = { name: uniqueName('burst').replace(/_/g, '-'), steps: [{ name: 'only', participant: 'burst', command: 'burst.do', compensation: 'burst.undo', timeoutMs: 600_000 }] };
    await h.definitions.register(def);
    // Past the cache period (1 s), so the burst finds nothing cached.
    await new Promise((r) => setTimeout(r, 1_200));
    let markReads = 0;
    const query = h.pool.query.bind(h.pool) as (...args: unknown[]) => unknown;
    (h.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if ((args[0] as { name?: string }).name === 'read-version-marks') markReads++;
      return query(...args);
    };
    const count = 2_000;
    try {
      const started = await Promise.all(Array.from({ length: count }, (_, i) => h.engine.start({ definition: def.name, input: { i }, actor: 'start-topic', idempotencyKey: `${def.name}-${i}` })));
      expect(started.filter((s) => s.created)).toHaveLength(count);
    } finally {
      (h.pool as unknown as { query: unknown }).query = query;
    }
    // One read per cache period the burst spans (a few seconds at most here).
    expect(markReads).toBeGreaterThanOrEqual(1);
    expect(markReads).toBeLessThan(20);
    const stored = await h.pool.query<{ n: number }>('select count(*)::int as n from saga_instances where definition_name = $1', [def.name]);
    expect(stored.rows[0].n).toBe(count);
  });
});

describe('a burst on the start topic, far past the engine bound', () => {
  let h: CoordinatorHarness;
  let bus: KafkaBus;

  beforeAll(async () => {
    // A bound far below one fetched batch: intake takes chunks and waits for room between them.
    h = await startCoordinatorHarness(['burst'], { ENGINE_MAX_QUEUED: '100' });
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'start-burst-test' });
    await bus.connect();
  });

  afterAll(async () => {
    await bus?.disconnect();
    await h?.close();
  });

  it('takes up every start, each once', async () => {
    const def: SagaDefinition = { name: uniqueName('burst-topic').replace(/_/g, '-'), steps: [{ name: 'only', participant: 'burst', command: 'burst.do', compensation: 'burst.undo', timeoutMs: 600_000 }] };
    await h.definitions.register(def);
    const count = 4_000;
    const starts = Array.from({ length: count }, (_, i) => ({ protocolVersion: 1, definition: def.name, idempotencyKey: `${def.name}-${i}`, input: { i } }));
    await bus.publish(starts.map((s) => ({ topic: topicNames(h.prefix).start, key: s.idempotencyKey, value: JSON.stringify(s) })));
    const taken = async () => (await h.pool.query<{ n: number }>('select count(*)::int as n from saga_instances where definition_name = $1', [def.name])).rows[0].n;
    // A liveness bound, not a speed figure: here it takes 2 to 3 s; when the intake's wait for room
    // spun (it raced the engine's roomForMore, which resolves at once while the engine has room)
    // the starved event loop took 43 s.
    await waitFor('every start taken up', async () => ((await taken()) === count ? true : undefined), 20_000);
    const keys = await h.pool.query<{ n: number }>('select count(distinct idempotency_key)::int as n from saga_instances where definition_name = $1', [def.name]);
    expect(keys.rows[0].n).toBe(count);
  });
});
