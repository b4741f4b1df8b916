// The benchmark's saga and participants: minimal, but real SDK participants — each step
// writes one row in the participant database behind the barrier. One participant per
// step (`bench-s1`, `bench-s2`, …); a participant process hosts one or more of them on
// one KafkaBus and one pool, and records the timings of the per-hop breakdown.
import type { Pool } from 'pg';
import type { SagaDefinition } from '../src/core/saga-definition';
import type { KafkaBus } from '@saga-coordinator/participant/kafka';
import { Participant, success } from '@saga-coordinator/participant';
import type { TimingRecorder } from './participant-timings';

export interface BenchInput {
  i: number;
}

/** What a participant process prints once its participants consume. */
export const PARTICIPANTS_READY_LINE = 'bench participants ready';

export const participantName = (step: number) => `bench-s${step}`;

export function benchDefinition(name: string, steps: number): SagaDefinition {
  return {
    name,
    steps: Array.from({ length: steps }, (_, k) => ({
      name: `s${k + 1}`,
      participant: participantName(k + 1),
      command: `bench.s${k + 1}.do`,
      compensation: `bench.s${k + 1}.undo`,
      timeoutMs: 30_000,
    })),
  };
}

/** The business table the steps write to; created once by the bench before any participant starts (concurrent `create table if not exists` can collide). */
export const BENCH_EFFECTS_TABLE = 'create table if not exists bench_effects (saga_id text not null, step text not null, at timestamptz not null default now())';

export async function startBenchParticipants(options: { bus: KafkaBus; pool: Pool; prefix: string; steps: number[]; partitions: number; recorder: TimingRecorder }): Promise<Participant[]> {
  const participants: Participant[] = [];
  for (const k of options.steps) {
    const participant = new Participant({
      name: participantName(k),
      kafka: { bus: options.bus },
      topicPrefix: options.prefix,
      database: options.pool,
      partitionsConsumedConcurrently: options.partitions,
      sagasPerPartition: 16,
      topicPartitions: options.partitions,
      logger: 'warn',
    }).handle<BenchInput, { step: number }>({
      command: `bench.s${k}.do`,
      compensation: `bench.s${k}.undo`,
      async execute(_input, ctx) {
        options.recorder.handled(ctx.messageId);
        await ctx.tx.query('insert into bench_effects (saga_id, step) values ($1, $2)', [ctx.sagaId, ctx.step]);
        return success({ step: k });
      },
      async compensate(_data, ctx) {
        await ctx.tx.query('delete from bench_effects where saga_id = $1 and step = $2', [ctx.sagaId, ctx.step]);
        return success();
      },
    });
    participants.push(participant);
  }
  // One at a time: their barrier migrations share the database.
  for (const p of participants) await p.start();
  return participants;
}
