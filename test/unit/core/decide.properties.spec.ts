import fc from 'fast-check';
import { evaluateCondition } from '../../../src/core';
import { randomDefinition, randomMoves, SagaWorld } from './support/saga-simulator';

/**
 * Random definitions (sequences of steps and parallel groups, optional pivot,
 * random retry policies and bounds) driven by random schedules of replies,
 * timeouts, backoffs, duplicates, stale timers, cancels and operator requests.
 * The per-event invariants are checked inside SagaWorld.apply.
 */
describe('saga properties', () => {
  it('every saga ends, compensating exactly what it did, in reverse order, never after the pivot', () => {
    fc.assert(
      fc.property(randomDefinition, randomMoves, fc.integer(), (doc, moves, seed) => {
        const world = new SagaWorld(doc, seed);
        for (const move of moves) world.play(move);
        // Once participants answer, the saga ends within a bounded number of events.
        const bound = 20 * world.def.stages.flatMap((s) => s.steps).length * (world.def.maxCompensationAttempts + world.def.maxForwardAttempts + 3);
        const events = world.settle(bound);
        expect(events).toBeLessThan(bound);
        world.finalChecks();
        // Nothing happens to a finished saga.
        const last = world.apply({ type: 'CancelRequested', reason: 'late', by: 'test' });
        expect(last.verdict.kind).not.toBe('applied');
        expect(last.state).toBe(world.state);
      }),
      { numRuns: 400 },
    );
  });

  it('a saga whose participants always succeed completes with one command per step and no compensation', () => {
    fc.assert(
      fc.property(randomDefinition, fc.integer(), (doc, seed) => {
        const world = new SagaWorld(doc, seed);
        world.settle(1_000);
        expect(world.state.status).toBe('COMPLETED');
        // Steps whose `when` does not hold are skipped: no command at all.
        const runs = world.def.stages.flatMap((s) => s.steps).filter((s) => s.when === null || evaluateCondition(s.when, world.state.input, {}));
        expect(world.sent.map((c) => `${c.step}:${c.action}:${c.attempt}`).sort()).toEqual(runs.map((s) => `${s.name}:execute:1`).sort());
        world.finalChecks();
      }),
      { numRuns: 200 },
    );
  });

  it('a business failure of any step compensates exactly the completed compensatable steps before it', () => {
    fc.assert(
      fc.property(randomDefinition, fc.nat(), fc.integer(), (doc, pick, seed) => {
        const world = new SagaWorld(doc, seed);
        // Only steps whose condition holds are ever sent, so only they can fail; skipped ones are never compensated.
        const steps = world.def.stages.flatMap((s) => s.steps).filter((s) => s.when === null || evaluateCondition(s.when, world.state.input, {}));
        fc.pre(steps.length > 0);
        const failing = steps[pick % steps.length];
        // Run forward, failing `failing` the first time it is asked.
        let failed = false;
        for (let i = 0; i < 1_000 && !world.terminal && world.state.status !== 'FAILED'; i++) {
          const command = world.awaited()[0];
          if (!command) break;
          const shouldFail: boolean = !failed && command.step === failing.name && command.action === 'execute';
          failed ||= shouldFail;
          world.reply(command, shouldFail ? 'failure' : 'success');
        }
        if (failing.phase === 'retriable') {
          expect(world.state.status).toBe('FAILED');
          expect(world.sent.filter((c) => c.action === 'compensate')).toEqual([]);
          return;
        }
        expect(world.state.status).toBe('COMPENSATED');
        const expected = steps
          .filter((s) => s.stage < failing.stage || (s.stage === failing.stage && s.name !== failing.name))
          .filter((s) => s.compensation !== null)
          .map((s) => s.name);
        expect(world.sent.filter((c) => c.action === 'compensate').map((c) => c.step).sort()).toEqual(expected.sort());
        world.finalChecks();
      }),
      { numRuns: 300 },
    );
  });
});
