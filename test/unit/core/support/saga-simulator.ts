/**
 * A small world for property tests: a saga instance, participants that answer
 * the commands it sends, and a timer service that fires the timers it arms.
 *
 * The simulator only delivers what the effects make possible — a reply to a
 * command that was sent, a timer that is armed — plus deliberate noise: a
 * redelivered reply, a timer that fires after it was cancelled, a reply for an
 * attempt that never existed, cancels and operator requests at any moment.
 * Every decision is checked against the invariants that must hold after each
 * event; `finalChecks` checks the ones that hold at the end.
 */
import fc from 'fast-check';
import {
  activeTimers,
  canTransitionSaga,
  decide,
  evaluateCondition,
  createSagaState,
  isJsonValue,
  isTerminalSagaStatus,
  normalizeDefinition,
  stepsOf,
  type Decision,
  type NormalizedSagaDefinition,
  type ReplyOutcome,
  type SagaDefinition,
  type SagaEvent,
  type SagaState,
  type SagaStatus,
  SAGA_STATUSES,
  type ScheduleTimer,
  type SendCommand,
  type StepDefinition,
  type StepNode,
} from '../../../../src/core';
import { deepFreeze, START_TIME } from './saga-scenario';

// ---- random definitions -------------------------------------------------------

interface StepShape {
  compensated: boolean;
  retry: { maxAttempts: number; initialBackoffMs: number; maxBackoffMs: number; multiplier: number; jitter: number };
  timeoutMs: number;
  usesEarlierOutput: boolean;
  /** undefined: no `when`; true / false: a `when` that holds / does not hold for the world's input. */
  runsIf: boolean | undefined;
}

const stepShape: fc.Arbitrary<StepShape> = fc.record({
  compensated: fc.boolean(),
  retry: fc
    .record({
      maxAttempts: fc.integer({ min: 1, max: 3 }),
      initialBackoffMs: fc.integer({ min: 1, max: 50 }),
      extra: fc.integer({ min: 0, max: 100 }),
      multiplier: fc.constantFrom(1, 1.5, 2, 3),
      jitter: fc.constantFrom(0, 0.2, 0.5, 1),
    })
    .map(({ extra, ...r }) => ({ ...r, maxBackoffMs: r.initialBackoffMs + extra })),
  timeoutMs: fc.integer({ min: 10, max: 100 }),
  usesEarlierOutput: fc.boolean(),
  runsIf: fc.option(fc.boolean(), { nil: undefined }),
});

/** 1–5 stages, each a step or a group of 2–3, an optional pivot on a single-step stage. */
export const randomDefinition: fc.Arbitrary<SagaDefinition> = fc
  .record({
    stages: fc.array(fc.array(stepShape, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
    pivotPick: fc.option(fc.nat(), { nil: undefined }),
    maxCompensationAttempts: fc.integer({ min: 1, max: 3 }),
    maxForwardAttempts: fc.integer({ min: 1, max: 3 }),
    deadlineMs: fc.option(fc.integer({ min: 20, max: 400 }), { nil: undefined }),
  })
  .map(({ stages, pivotPick, maxCompensationAttempts, maxForwardAttempts, deadlineMs }) => {
    const singles = stages.map((s, i) => (s.length === 1 ? i : -1)).filter((i) => i >= 0);
    const pivotStage = pivotPick === undefined || singles.length === 0 ? -1 : singles[pivotPick % singles.length];
    let counter = 0;
    const earlier: string[] = [];
    const steps: StepNode[] = stages.map((shapes, stage) => {
      const members = shapes.map((shape): StepDefinition => {
        const name = `s${counter++}`;
        const afterPivot = pivotStage !== -1 && stage > pivotStage;
        const step: StepDefinition = { name, participant: `p${name}`, command: `${name}.do`, retry: shape.retry, timeoutMs: shape.timeoutMs };
        if (shape.compensated && !afterPivot) step.compensation = `${name}.undo`;
        if (stage === pivotStage) step.pivot = true;
        if (shape.usesEarlierOutput && earlier.length > 0) step.input = { from: `$.steps.${earlier[earlier.length - 1]}.output`, order: '$.input.orderId' };
        if (shape.runsIf !== undefined && stage !== pivotStage) step.when = { ref: '$.input.orderId', equals: shape.runsIf ? 'o-1' : 'o-2' };
        return step;
      });
      earlier.push(...members.map((m) => m.name));
      return members.length === 1 ? members[0] : { parallel: members };
    });
    const def: SagaDefinition = { name: 'random', maxCompensationAttempts, maxForwardAttempts, steps, output: { order: '$.input.orderId', last: `$.steps.${earlier[earlier.length - 1]}.output` } };
    if (deadlineMs !== undefined) def.deadlineMs = deadlineMs;
    return def;
  });

// ---- random schedules ---------------------------------------------------------

export interface Move {
  /** 0–99: what kind of thing happens next (see `nextEvent`). */
  kind: number;
  /** Which of the candidates. */
  pick: number;
  outcome: ReplyOutcome;
}

export const randomMoves: fc.Arbitrary<Move[]> = fc.array(
  fc.record({ kind: fc.nat(99), pick: fc.nat(10_000), outcome: fc.constantFrom<ReplyOutcome>('success', 'success', 'failure', 'retry') }),
  { maxLength: 80 },
);

/** A deterministic PRNG for the jitter, seeded by fast-check. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plain assertion: jest's matchers are too slow for checks that run after every one of ~10^5 decisions. */
function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

function reachable(from: SagaStatus, to: SagaStatus): boolean {
  const seen = new Set<SagaStatus>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of SAGA_STATUSES) {
      if (!seen.has(next) && canTransitionSaga(current, next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen.has(to);
}

// ---- the world ----------------------------------------------------------------

export class SagaWorld {
  readonly def: NormalizedSagaDefinition;
  state: SagaState;
  now = START_TIME;
  readonly random: () => number;
  /** Every command sent, in order. */
  readonly sent: SendCommand[] = [];
  /** Replies delivered and applied, for redelivery as duplicates. */
  readonly delivered: SagaEvent[] = [];
  /** Timers armed and neither cancelled nor fired. */
  readonly armed = new Map<string, ScheduleTimer>();
  /** Timers that were cancelled or fired: firing them again must be ignored. */
  readonly dead: ScheduleTimer[] = [];
  decisions = 0;
  pivotSucceeded = false;
  /** Per step: decision index of the first compensation command, and of becoming COMPENSATED. */
  readonly compensationSentAt = new Map<string, number>();
  readonly compensatedAt = new Map<string, number>();
  readonly compensationsApplied = new Map<string, number>();
  readonly everSucceeded = new Set<string>();

  constructor(doc: SagaDefinition, seed: number) {
    this.def = normalizeDefinition(doc);
    this.random = mulberry32(seed);
    this.state = createSagaState({ sagaId: 'w', definition: this.def, definitionVersion: 1, input: { orderId: 'o-1' }, now: this.now });
    this.apply({ type: 'SagaStarted' });
  }

  get terminal(): boolean {
    return isTerminalSagaStatus(this.state.status);
  }

  /** Commands the state is waiting on right now. */
  awaited(): SendCommand[] {
    return this.sent.filter((c) => {
      const st = this.state.steps[c.step];
      return c.action === 'execute'
        ? st.status === 'RUNNING' && st.attempt === c.attempt
        : st.status === 'COMPENSATING' && st.compensationAttempt === c.attempt;
    });
  }

  apply(event: SagaEvent): Decision {
    const before = deepFreeze(this.state);
    const snapshot = JSON.stringify(before);
    const drawn: number[] = [];
    const random = (): number => {
      const value = this.random();
      drawn.push(value);
      return value;
    };
    const decision = decide(before, this.def, event, { now: this.now, random });
    this.decisions += 1;

    // The input is never mutated (it is frozen, and its text is unchanged).
    invariant(JSON.stringify(before) === snapshot, 'decide changed its input state');
    // The stored text of the state is enough: deciding on a reloaded copy gives the same decision.
    const replay = [...drawn];
    const again = decide(JSON.parse(snapshot) as SagaState, this.def, event, { now: this.now, random: () => replay.shift() ?? 0 });
    invariant(JSON.stringify(again) === JSON.stringify(decision), 'a reloaded state decided differently');
    const after = decision.state;
    invariant(isJsonValue(after), 'the new state is not plain JSON');

    if (decision.verdict.kind !== 'applied') {
      invariant(after === before && decision.effects.length === 0, 'an ignored or rejected event changed something');
      return decision;
    }
    invariant(after.seq === before.seq + 1, 'seq did not advance by one');
    invariant(!isTerminalSagaStatus(before.status), 'a finished saga changed');
    // One decision may pass through several statuses (RUNNING -> COMPENSATING -> COMPENSATED), each by the table.
    invariant(reachable(before.status, after.status), `${before.status} -> ${after.status} is not reachable`);

    // Checked before this decision's commands: a compensation in the same decision as the pivot's success is a violation too.
    if (this.def.pivot !== null && after.steps[this.def.pivot].succeededAt !== null) this.pivotSucceeded = true;
    for (const effect of decision.effects) {
      switch (effect.type) {
        case 'SendCommand':
          this.checkCommand(effect, after);
          this.sent.push(effect);
          break;
        case 'ScheduleTimer':
          invariant(!this.armed.has(effect.timerId), `timer ${effect.timerId} scheduled twice`);
          this.armed.set(effect.timerId, effect);
          break;
        case 'CancelTimer': {
          const timer = this.armed.get(effect.timerId);
          invariant(timer !== undefined, `cancelled timer ${effect.timerId} was not armed`);
          this.dead.push(timer);
          this.armed.delete(effect.timerId);
          break;
        }
        default:
          break;
      }
    }
    if (isTerminalSagaStatus(after.status)) {
      invariant(!decision.effects.some((e) => e.type === 'SendCommand'), 'a command was sent by the decision that finished the saga');
      const last = decision.effects[decision.effects.length - 1];
      invariant(last.type === 'FinishSaga' && last.status === after.status, 'FinishSaga is not the last effect');
    }
    // The timers the adapter holds are exactly the ones the state implies.
    const implied = [...activeTimers(after, this.def).keys()].sort().join();
    invariant([...this.armed.keys()].sort().join() === implied, `armed timers differ from the state's: ${implied}`);
    // FAILED means nothing is moving.
    if (after.status === 'FAILED') {
      for (const st of Object.values(after.steps)) {
        invariant(!['RUNNING', 'RETRY_WAIT', 'COMPENSATING', 'COMPENSATION_RETRY_WAIT'].includes(st.status), 'FAILED with work in flight');
      }
    }

    for (const step of stepsOf(this.def)) {
      const was = before.steps[step.name];
      const is = after.steps[step.name];
      // succeededAt, not the status: a step may succeed and start compensating in one decision.
      if (is.succeededAt !== null) this.everSucceeded.add(step.name);
      if (was.status !== 'COMPENSATED' && is.status === 'COMPENSATED') {
        this.compensatedAt.set(step.name, this.decisions);
        this.compensationsApplied.set(step.name, (this.compensationsApplied.get(step.name) ?? 0) + 1);
      }
    }
    if (event.type === 'StepReplied' || event.type === 'AttemptTimedOut') this.delivered.push(event);
    this.state = after;
    return decision;
  }

  private checkCommand(command: SendCommand, after: SagaState): void {
    invariant(command.commandId === `w:${command.step}:${command.action}:${command.attempt}`, `bad command id ${command.commandId}`);
    invariant(!this.sent.some((c) => c.commandId === command.commandId), `command ${command.commandId} sent twice`);
    if (command.action === 'compensate') {
      const st = after.steps[command.step];
      invariant(this.sent.some((c) => c.step === command.step && c.action === 'execute'), `compensation of never-started ${command.step}`);
      invariant(st.succeededAt !== null || st.mayHaveApplied, `compensation of ${command.step}, which did nothing`);
      invariant(!this.pivotSucceeded, `compensation of ${command.step} after the pivot succeeded`);
      if (!this.compensationSentAt.has(command.step)) this.compensationSentAt.set(command.step, this.decisions);
    }
  }

  /** Fires a timer as the timer service would, moving the clock to its due time. */
  fire(timer: ScheduleTimer): Decision {
    this.now = Math.max(this.now, timer.dueAt);
    this.armed.delete(timer.timerId);
    this.dead.push(timer);
    const event: SagaEvent =
      timer.kind === 'deadline'
        ? { type: 'DeadlineReached' }
        : timer.kind === 'backoff'
          ? { type: 'BackoffElapsed', step: timer.step!, action: timer.action!, attempt: timer.attempt! }
          : { type: 'AttemptTimedOut', step: timer.step!, action: timer.action!, attempt: timer.attempt! };
    return this.apply(event);
  }

  reply(command: SendCommand, outcome: ReplyOutcome): Decision {
    this.now += 1;
    const event: SagaEvent = { type: 'StepReplied', step: command.step, action: command.action, attempt: command.attempt, outcome };
    if (outcome === 'success') event.output = { by: command.commandId };
    else event.error = { message: outcome };
    return this.apply(event);
  }

  /** One move of the adversarial schedule. */
  play(move: Move): void {
    const pick = <T>(items: readonly T[]): T | undefined => (items.length === 0 ? undefined : items[move.pick % items.length]);
    const steps = stepsOf(this.def).map((s) => s.name);
    if (move.kind < 55) {
      const command = pick(this.awaited());
      if (command) this.reply(command, move.outcome);
    } else if (move.kind < 78) {
      const timer = pick([...this.armed.values()]);
      if (timer) this.fire(timer);
    } else if (move.kind < 83) {
      const again = pick(this.delivered);
      if (again) expect(this.apply(again).verdict.kind).toBe('ignored');
    } else if (move.kind < 86) {
      const timer = pick(this.dead);
      if (timer) {
        const decision = this.fire(timer);
        expect(decision.verdict.kind).toBe('ignored');
      }
    } else if (move.kind < 88) {
      const step = pick(steps)!;
      expect(this.apply({ type: 'StepReplied', step, action: 'execute', attempt: 99, outcome: move.outcome }).verdict).toMatchObject({
        kind: 'ignored',
        code: expect.stringMatching(/UNKNOWN_ATTEMPT|SAGA_FINISHED/),
      });
    } else if (move.kind < 93) {
      this.apply({ type: 'CancelRequested', reason: 'random cancel', by: 'test' });
    } else if (move.kind < 95) {
      this.apply({ type: 'RetryRequested', ...(move.pick % 2 === 0 ? {} : { step: pick(steps)! }), by: 'op' });
    } else if (move.kind < 97) {
      this.apply({ type: 'ResumeRequested', by: 'op' });
    } else {
      const step = pick(steps)!;
      this.apply(
        move.pick % 2 === 0
          ? { type: 'StepOverridden', step, as: 'succeeded', output: { manual: true }, by: 'op', reason: 'test' }
          : { type: 'StepOverridden', step, as: 'compensated', by: 'op', reason: 'test' },
      );
    }
  }

  /**
   * From now on participants answer `success` and operators resume a FAILED
   * saga, so the saga must end. Returns the number of events it took.
   */
  settle(limit: number): number {
    let events = 0;
    while (!this.terminal && events < limit) {
      events += 1;
      if (this.state.status === 'FAILED') {
        this.apply({ type: 'ResumeRequested', by: 'op' });
        continue;
      }
      const command = this.awaited()[0];
      if (command) {
        this.reply(command, 'success');
        continue;
      }
      const backoff = [...this.armed.values()].filter((t) => t.kind === 'backoff').sort((a, b) => a.dueAt - b.dueAt)[0];
      if (backoff) {
        this.fire(backoff);
        continue;
      }
      throw new Error(`saga is stuck in ${this.state.status}: ${JSON.stringify(this.state.steps)}`);
    }
    return events;
  }

  /** Invariants of a finished saga. */
  finalChecks(): void {
    const { state, def } = this;
    expect(this.terminal).toBe(true);
    const compensations = this.sent.filter((c) => c.action === 'compensate');
    // A step whose condition does not hold is SKIPPED without a command; one whose condition holds runs like any other.
    const skippedByCondition = stepsOf(def).filter((step) => step.when !== null && !evaluateCondition(step.when, state.input, {}));
    for (const step of skippedByCondition) {
      expect({ step: step.name, sent: this.sent.filter((c) => c.step === step.name).length }).toEqual({ step: step.name, sent: 0 });
    }
    if (state.status === 'COMPLETED') {
      for (const step of stepsOf(def)) expect(state.steps[step.name].status).toBe(skippedByCondition.includes(step) ? 'SKIPPED' : 'SUCCEEDED');
      expect([...state.completionOrder].sort()).toEqual(stepsOf(def).filter((s) => !skippedByCondition.includes(s)).map((s) => s.name).sort());
      expect(compensations).toEqual([]);
      // The output mapping is evaluated on completion; a skipped step's output reads as null.
      const last = stepsOf(def)[stepsOf(def).length - 1];
      expect(state.output).toEqual({ order: 'o-1', last: skippedByCondition.includes(last) ? null : state.steps[last.name].output });
      return;
    }
    expect(state.output).toBeNull();
    for (const step of stepsOf(def)) {
      const st = state.steps[step.name];
      const shouldBeUndone = step.compensation !== null && (this.everSucceeded.has(step.name) || st.mayHaveApplied);
      // Compensated exactly once if it needed it, never otherwise (unless an operator said so).
      const byOperator = st.override?.as === 'compensated';
      expect({ step: step.name, compensated: this.compensationsApplied.get(step.name) ?? 0 }).toEqual({
        step: step.name,
        compensated: shouldBeUndone || byOperator ? 1 : 0,
      });
      if (st.attempt === 0) expect(st.status).toBe('SKIPPED');
    }
    // Reverse order of completion, stage by stage: a step's compensation starts only after
    // every step that completed after it (in a later stage) has been undone.
    const order = state.completionOrder;
    for (let i = 0; i < order.length; i++) {
      for (let j = i + 1; j < order.length; j++) {
        const [earlier, later] = [def.stages.flatMap((s) => s.steps).find((s) => s.name === order[i])!, def.stages.flatMap((s) => s.steps).find((s) => s.name === order[j])!];
        if (earlier.stage === later.stage) continue;
        const sent = this.compensationSentAt.get(earlier.name);
        const undone = this.compensatedAt.get(later.name);
        // The same decision may apply the later step's compensation reply and then send the earlier one's.
        if (sent !== undefined && undone !== undefined) expect(undone).toBeLessThanOrEqual(sent);
      }
    }
  }
}
