// After the load: what the five databases and the broker say about the run — the figures
// the invariants are checked on, and the measures that are only reported.
import { nullCompensations, readBusinessSnapshot } from '../../examples/order-fulfilment/demo/business-snapshot';
import { checkConsistency } from '../../examples/order-fulfilment/demo/consistency-check';
import { PARTICIPANTS, type OrderInput } from '../../examples/order-fulfilment/order';
import { normalizeDefinition, stepsOf } from '../../src/core/definition-normalization';
import { doubledEffects } from './business-effects';
import type { ChaosEnvironment } from './chaos-environment';
import type { ChaosOptions } from './chaos-options';
import { compensationCauses } from './compensation-causes';
import * as checks from './coordinator-checks';
import type { FaultRecord } from './fault-injector';
import type { ChaosFigures } from './invariants';
import { longestGap, spread, type ChaosMeasures, type ConsumerLag } from './measures';
import type { LoadFigures } from './order-load';
import { FLAKY_PARTICIPANTS, seededFlakiness } from './seeded-flakiness';

export interface DriveResult {
  t0: number;
  loadEndedAt: number;
  settledAt: number | null;
  orders: OrderInput[];
  load: LoadFigures;
  accepted: ReadonlySet<string>;
  scheduledFaults: number;
  faults: FaultRecord[];
}

export async function collectFigures(env: ChaosEnvironment, options: ChaosOptions, d: DriveResult): Promise<ChaosFigures> {
  const pool = env.coordinatorPool;
  const perOrder = await checks.sagasPerOrder(pool);
  const flakySteps = stepsOf(normalizeDefinition(env.definition))
    .filter((s) => FLAKY_PARTICIPANTS.includes(s.participant))
    .map((s) => s.name);
  return {
    load: d.load,
    scheduledFaults: d.scheduledFaults,
    faults: d.faults,
    counts: await checks.statusCounts(pool),
    lostOrders: [...d.accepted].filter((id) => !perOrder.has(id)),
    duplicatedOrders: [...perOrder].filter(([, n]) => n > 1).map(([orderId, sagas]) => ({ orderId, sagas })),
    doubled: await doubledEffects(env.pools),
    consistency: checkConsistency(d.orders.slice(0, d.load.submitted), await readBusinessSnapshot(pool, env.pools)),
    unsentOutbox: await checks.unsentOutboxRows(pool),
    timersOfFinishedSagas: await checks.timersOfFinishedSagas(pool),
    compensations: compensationCauses(await checks.sagaCompensations(pool), seededFlakiness(options.flaky, options.seed), flakySteps),
    crashes: env.supervisor.crashList(),
  };
}

export async function collectMeasures(env: ChaosEnvironment, d: DriveResult): Promise<ChaosMeasures> {
  const pool = env.coordinatorPool;
  const lastFinished = await checks.lastFinishedAt(pool);
  const kills = d.faults.filter((f) => f.kind === 'coordinator-kill' && !f.error);
  return {
    loadMs: d.loadEndedAt - d.t0,
    settledMs: d.settledAt === null ? null : d.settledAt - d.t0,
    attemptsTimedOut: await checks.timedOutAttempts(pool),
    longestReplyGap: longestGap(await checks.replyAppliedTimes(pool), d.t0, Math.max(lastFinished ?? Date.now(), d.t0)),
    coordinatorHealth: spread(kills.map((f) => f.healthMs)),
    coordinatorReady: spread(kills.map((f) => f.readyMs)),
    coordinatorRepliesCaughtUp: spread(kills.map((f) => f.caughtUpMs)),
    escalations: await checks.escalations(pool),
    nullCompensations: await nullCompensations(env.pools),
    consumerLag: await consumerLag(env, [
      { group: env.coordinatorGroup, topic: env.topics.start },
      { group: env.coordinatorGroup, topic: env.topics.replies },
      ...PARTICIPANTS.map((p) => ({ group: env.participantGroup(p), topic: env.topics.commands(p) })),
    ]),
  };
}

async function consumerLag(env: ChaosEnvironment, of: { group: string; topic: string }[]): Promise<ConsumerLag[]> {
  const out: ConsumerLag[] = [];
  for (const { group, topic } of of) {
    const lag = await env.progress.lag(group, topic);
    out.push({ group, topic, messages: lag?.messages ?? null, partitions: lag?.partitions ?? [] });
  }
  return out;
}
