// The benchmark's participants: minimal, but real SDK participants — each step writes
// one row in the participant database behind the barrier — sharing one KafkaBus and
// one pool in the benchmark process. The first step tells the driver which saga id
// an input index got, so the driver can match lifecycle events to its start times.
import type { Pool } from 'pg';
import type { SagaDefinition } from '../src/core/saga-definition';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { Participant, success } from '@saga-coordinator/participant';

export interface BenchInput {
  i: number;
}

export function benchDefinition(name: string, steps: number): SagaDefinition {
  return {
    name,
    steps: Array.from({ length: steps }, (_, k) => ({
      name: `s${k + 1}`,
      participant: `bench-s${k + 1}`,
      command: `bench.s${k + 1}.do`,
      compensation: `bench.s${k + 1}.undo`,
      timeoutMs: 30_000,
    })),
  };
}

export async function startBenchParticipants(options: { bus: KafkaBus; pool: Pool; prefix: string; steps: number; partitions: number; onFirstStep(i: number, sagaId: string): void }): Promise<Participant[]> {
  await options.pool.query('create table if not exists bench_effects (saga_id text not null, step text not null, at timestamptz not null default now())');
  const participants: Participant[] = [];
  for (let k = 1; k <= options.steps; k++) {
    const participant = new Participant({
      name: `bench-s${k}`,
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
      async execute(input, ctx) {
        if (k === 1) options.onFirstStep(input.i, ctx.sagaId);
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
  await Promise.all(participants.map((p) => p.start()));
  return participants;
}
