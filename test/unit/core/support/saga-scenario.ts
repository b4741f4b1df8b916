/**
 * A given/expect DSL that makes saga tests read like the saga itself (cf.
 * eventuate's ConditionalSagaTest):
 *
 *   given(orderSaga).started()
 *     .reply('reserve', 'success', { output: { holdId: 'h1' } })
 *     .expectCommand('charge', 'execute')
 *     .expectStatus('RUNNING');
 *
 * Every event goes through the real `decide`. Each call also checks what must
 * hold for every decision: the input state is not mutated (it is deep-frozen),
 * and the new state survives a JSON round trip unchanged.
 */
import {
  decide,
  createSagaState,
  normalizeDefinition,
  type Decision,
  type EmitLifecycleEvent,
  type IgnoredCode,
  type JsonValue,
  type LifecycleEventType,
  type NormalizedSagaDefinition,
  type RejectionCode,
  type ReplyError,
  type ReplyOutcome,
  type SagaDefinition,
  type SagaEffect,
  type SagaEvent,
  type SagaState,
  type SagaStatus,
  type ScheduleTimer,
  type SendCommand,
  type StepAction,
  type StepDefinition,
  type StepStatus,
  type TimerKind,
} from '../../../../src/core';

export const START_TIME = 1_700_000_000_000;

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

export interface ScenarioOptions {
  input?: JsonValue;
  sagaId?: string;
  version?: number;
  random?: () => number;
}

/**
 * The scenarios were written against count-only retry policies (3 attempts before
 * the pivot, 200 ms doubling to 10 s, no minimum retry window; 10 compensation
 * attempts): `given` pins those wherever the document leaves them unset, so each
 * test spells out the state machine's mechanics. The shipped defaults (retry
 * windows of minutes) have their own tests in decide.retry-window.spec.ts.
 */
export const COUNTING_RETRY = Object.freeze({ maxAttempts: 3, initialBackoffMs: 200, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2, minRetryWindowMs: 0 });

export function countingDefinition(doc: SagaDefinition): NormalizedSagaDefinition {
  const def = normalizeDefinition(doc);
  const written = new Map<string, Partial<StepDefinition['retry']>>();
  for (const node of doc.steps) for (const s of 'parallel' in node ? node.parallel : [node]) written.set(s.name, s.retry ?? {});
  for (const stage of def.stages) {
    for (const s of stage.steps) {
      const explicit = written.get(s.name) ?? {};
      const pinned = Object.fromEntries(
        Object.entries(COUNTING_RETRY).filter(([key]) => !(key in explicit!) && !(key === 'maxAttempts' && s.phase === 'retriable')),
      );
      s.retry = { ...s.retry, ...pinned };
    }
  }
  def.maxCompensationAttempts = doc.maxCompensationAttempts ?? 10;
  def.minCompensationWindowMs = doc.minCompensationWindowMs ?? 0;
  return def;
}

export function given(doc: SagaDefinition, options: ScenarioOptions = {}): SagaScenario {
  return new SagaScenario(countingDefinition(doc), options);
}

/** A scenario on the definition exactly as registered, shipped defaults included. */
export function givenShipped(doc: SagaDefinition, options: ScenarioOptions = {}): SagaScenario {
  return new SagaScenario(normalizeDefinition(doc), options);
}

export class SagaScenario {
  readonly def: NormalizedSagaDefinition;
  state: SagaState;
  now = START_TIME;
  random: () => number;
  last: Decision | null = null;
  readonly decisions: { event: SagaEvent; decision: Decision }[] = [];

  constructor(def: NormalizedSagaDefinition, options: ScenarioOptions) {
    this.def = def;
    this.random = options.random ?? (() => 0);
    this.state = createSagaState({
      sagaId: options.sagaId ?? 'saga-1',
      definition: def,
      definitionVersion: options.version ?? 1,
      input: options.input ?? { orderId: 'o-1' },
      now: this.now,
    });
  }

  // ---- events -------------------------------------------------------------

  deliver(event: SagaEvent): this {
    const before = deepFreeze(this.state);
    const snapshot = JSON.stringify(before);
    const decision = decide(before, this.def, event, { now: this.now, random: this.random });
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(JSON.parse(JSON.stringify(decision.state))).toEqual(decision.state);
    if (decision.verdict.kind !== 'applied') {
      expect(decision.state).toBe(before);
      expect(decision.effects).toEqual([]);
    }
    this.last = decision;
    this.decisions.push({ event, decision });
    this.state = decision.state;
    return this;
  }

  started(): this {
    return this.deliver({ type: 'SagaStarted' });
  }

  /** Moves the clock forward. */
  after(ms: number): this {
    this.now += ms;
    return this;
  }

  /** A reply to the current `execute` attempt of `step` (or the attempt given). */
  reply(step: string, outcome: ReplyOutcome, options: { output?: JsonValue; error?: ReplyError; attempt?: number } = {}): this {
    return this.replyTo(step, 'execute', outcome, options);
  }

  /** A reply to the current `compensate` attempt of `step` (or the attempt given). */
  compensationReply(step: string, outcome: ReplyOutcome, options: { error?: ReplyError; attempt?: number } = {}): this {
    return this.replyTo(step, 'compensate', outcome, options);
  }

  private replyTo(
    step: string,
    action: StepAction,
    outcome: ReplyOutcome,
    options: { output?: JsonValue; error?: ReplyError; attempt?: number },
  ): this {
    const st = this.state.steps[step];
    const attempt = options.attempt ?? (action === 'execute' ? st?.attempt : st?.compensationAttempt) ?? 1;
    const event: SagaEvent = { type: 'StepReplied', step, action, attempt, outcome };
    if (options.output !== undefined) event.output = options.output;
    if (options.error !== undefined) event.error = options.error;
    else if (outcome !== 'success') event.error = { message: `${step} said ${outcome}` };
    return this.deliver(event);
  }

  /** The attempt timeout of the step's current attempt fires (the clock moves to its due time). */
  timeout(step: string, options: { action?: StepAction; attempt?: number } = {}): this {
    const st = this.state.steps[step];
    const action = options.action ?? (st.status === 'COMPENSATING' ? 'compensate' : 'execute');
    const attempt = options.attempt ?? (action === 'execute' ? st.attempt : st.compensationAttempt);
    if (st.dueAt !== null && st.dueAt > this.now) this.now = st.dueAt;
    return this.deliver({ type: 'AttemptTimedOut', step, action, attempt });
  }

  /** The backoff of the step fires (the clock moves to its due time). */
  backoffElapsed(step: string, options: { action?: StepAction; attempt?: number } = {}): this {
    const st = this.state.steps[step];
    const action = options.action ?? (st.status === 'COMPENSATION_RETRY_WAIT' ? 'compensate' : 'execute');
    const attempt = options.attempt ?? (action === 'execute' ? st.attempt : st.compensationAttempt) + 1;
    if (st.dueAt !== null && st.dueAt > this.now) this.now = st.dueAt;
    return this.deliver({ type: 'BackoffElapsed', step, action, attempt });
  }

  deadline(): this {
    if (this.state.deadlineAt !== null && this.state.deadlineAt > this.now) this.now = this.state.deadlineAt;
    return this.deliver({ type: 'DeadlineReached' });
  }

  cancel(reason = 'customer changed their mind', by = 'api:test'): this {
    return this.deliver({ type: 'CancelRequested', reason, by });
  }

  retry(step?: string, by = 'operator:ann'): this {
    return this.deliver(step === undefined ? { type: 'RetryRequested', by } : { type: 'RetryRequested', step, by });
  }

  resume(by = 'operator:ann'): this {
    return this.deliver({ type: 'ResumeRequested', by, reason: 'fixed the participant' });
  }

  overrideSucceeded(step: string, output?: JsonValue, reason = 'done by hand'): this {
    return this.deliver(
      output === undefined
        ? { type: 'StepOverridden', step, as: 'succeeded', by: 'operator:ann', reason }
        : { type: 'StepOverridden', step, as: 'succeeded', output, by: 'operator:ann', reason },
    );
  }

  overrideCompensated(step: string, reason = 'undone by hand'): this {
    return this.deliver({ type: 'StepOverridden', step, as: 'compensated', by: 'operator:ann', reason });
  }

  /** Runs a step through n retryable failures, each followed by its backoff. */
  failRetryably(step: string, times: number): this {
    for (let i = 0; i < times; i++) {
      this.reply(step, 'retry');
      if (this.state.steps[step].status === 'RETRY_WAIT') this.backoffElapsed(step);
    }
    return this;
  }

  // ---- reading ------------------------------------------------------------

  get effects(): SagaEffect[] {
    return this.last?.effects ?? [];
  }

  /** Commands of the last decision. */
  get commands(): SendCommand[] {
    return this.effects.filter((e): e is SendCommand => e.type === 'SendCommand');
  }

  /** Every command sent since the scenario began, in order. */
  get allCommands(): SendCommand[] {
    const commands: SendCommand[] = [];
    for (const { decision } of this.decisions) for (const e of decision.effects) if (e.type === 'SendCommand') commands.push(e);
    return commands;
  }

  /** Steps whose compensation was sent, in the order first sent. */
  get compensationOrder(): string[] {
    const order: string[] = [];
    for (const c of this.allCommands) if (c.action === 'compensate' && !order.includes(c.step)) order.push(c.step);
    return order;
  }

  get lifecycle(): EmitLifecycleEvent[] {
    return this.effects.filter((e): e is EmitLifecycleEvent => e.type === 'EmitLifecycleEvent');
  }

  get scheduledTimers(): ScheduleTimer[] {
    return this.effects.filter((e): e is ScheduleTimer => e.type === 'ScheduleTimer');
  }

  get cancelledTimers(): string[] {
    return this.effects.flatMap((e) => (e.type === 'CancelTimer' ? [e.timerId] : []));
  }

  // ---- expectations (on the last decision unless said otherwise) ------------

  expectCommand(step: string, action: StepAction, expected: Partial<SendCommand> = {}): this {
    expect(this.commands).toContainEqual(expect.objectContaining({ step, action, ...expected }));
    return this;
  }

  /** Exactly these commands, in any order, as `step:action`. */
  expectCommands(...expected: string[]): this {
    expect(this.commands.map((c) => `${c.step}:${c.action}`).sort()).toEqual([...expected].sort());
    return this;
  }

  expectNoCommand(): this {
    expect(this.commands).toEqual([]);
    return this;
  }

  expectStatus(status: SagaStatus): this {
    expect(this.state.status).toBe(status);
    return this;
  }

  expectStep(step: string, status: StepStatus): this {
    expect({ step, status: this.state.steps[step].status }).toEqual({ step, status });
    return this;
  }

  expectSteps(statuses: Record<string, StepStatus>): this {
    const actual = Object.fromEntries(Object.keys(statuses).map((name) => [name, this.state.steps[name].status]));
    expect(actual).toEqual(statuses);
    return this;
  }

  expectApplied(): this {
    expect(this.last?.verdict).toEqual({ kind: 'applied' });
    return this;
  }

  expectIgnored(code?: IgnoredCode): this {
    expect(this.last?.verdict.kind).toBe('ignored');
    if (code) expect(this.last?.verdict).toMatchObject({ code });
    return this;
  }

  expectRejected(code: RejectionCode): this {
    expect(this.last?.verdict).toMatchObject({ kind: 'rejected', code });
    return this;
  }

  expectLifecycle(eventType: LifecycleEventType, step?: string): this {
    expect(this.lifecycle).toContainEqual(expect.objectContaining(step === undefined ? { eventType } : { eventType, step }));
    return this;
  }

  expectTimerScheduled(kind: TimerKind, step?: string, action?: StepAction): this {
    expect(this.scheduledTimers).toContainEqual(
      expect.objectContaining({ kind, ...(step === undefined ? {} : { step }), ...(action === undefined ? {} : { action }) }),
    );
    return this;
  }

  expectTimerCancelled(timerId: string): this {
    expect(this.cancelledTimers).toContain(timerId);
    return this;
  }

  expectFinished(status: 'COMPLETED' | 'COMPENSATED'): this {
    expect(this.state.status).toBe(status);
    expect(this.effects[this.effects.length - 1]).toEqual({ type: 'FinishSaga', status });
    return this;
  }

  expectCompensationOrder(...steps: string[]): this {
    expect(this.compensationOrder).toEqual(steps);
    return this;
  }

  /** An escape hatch for assertions the DSL has no words for. */
  check(assertion: (scenario: this) => void): this {
    assertion(this);
    return this;
  }
}

/** A step definition with a compensation, named after its participant for brevity. */
export function step(name: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return { name, participant: `${name}-service`, command: `${name}.do`, compensation: `${name}.undo`, ...extra };
}
