// The engine's observability (coordinator/engine-hooks.ts), in one place: after every
// commit it counts what the decisions did (metrics), writes the log lines an operator
// needs (saga started, step timed out, compensation started, saga FAILED, operator
// action) and no line per successful message; it opens each saga's trace and gives its
// commands their trace headers. It reads decisions, never changes them.
import { Logger } from '@nestjs/common';
import type { BatchStats, CommittedDecision, EngineHooks, MessageContext } from '../coordinator/engine-hooks';
import { stepsOf } from '../core/definition-normalization';
import type { NormalizedStep } from '../core/saga-definition';
import type { SagaState } from '../core/saga-state';
import type { CoordinatorMetrics } from './coordinator-metrics';
import type { SagaTracing } from './saga-tracing';

const OPERATOR_EVENTS = new Set(['CancelRequested', 'RetryRequested', 'ResumeRequested', 'StepOverridden']);

export class ObservabilityHooks implements EngineHooks {
  private readonly logger = new Logger('Saga');
  private readonly steps = new WeakMap<object, Map<string, NormalizedStep>>();

  constructor(
    private readonly metrics: CoordinatorMetrics,
    private readonly tracing: SagaTracing,
  ) {}

  traceContextForStart(incoming: string | null, saga: { sagaId: string; definition: string; version: number }): string | null {
    return this.tracing.startContext(incoming, saga);
  }

  messageHeaders(traceContext: string | null, message: MessageContext): Record<string, string> {
    return this.tracing.messageHeaders(traceContext, message);
  }

  committed(decisions: CommittedDecision[], stats: BatchStats): void {
    this.metrics.engineBatchDuration.observe(stats.durationMs / 1000);
    for (const d of decisions) {
      try {
        this.observe(d);
      } catch (err) {
        // Observability must never break the engine's loop.
        this.logger.warn(`observing a decision failed: ${(err as Error).message}`);
      }
    }
  }

  deadLettered(reasonCode: string, sourceTopic: string, reason?: string): void {
    this.metrics.deadLetters.inc({ reason_code: reasonCode, topic: sourceTopic });
    this.logger.warn({ reasonCode, topic: sourceTopic, reason, msg: `message dead-lettered: ${reasonCode}` });
  }

  quarantined(): void {
    this.metrics.quarantines.inc();
  }

  private observe(d: CommittedDecision): void {
    const verdict = d.decision.verdict.kind;
    this.metrics.engineEvents.inc({ verdict });
    const definition = d.definition.name;
    const version = String(d.definitionVersion);
    const base = { sagaId: d.sagaId, definition, version: d.definitionVersion };
    if (OPERATOR_EVENTS.has(d.event.type)) {
      const e = d.event as { type: string; step?: string; reason?: string };
      this.metrics.operatorActions.inc({ action: d.event.type, verdict });
      const refused = d.decision.verdict.kind === 'applied' ? undefined : d.decision.verdict.code;
      this.logger.log({ ...base, step: e.step, action: d.event.type, actor: d.actor, reason: e.reason, verdict, refused, msg: `operator action ${d.event.type} by ${d.actor}: ${verdict}` });
    }
    if (verdict !== 'applied') return;
    const before = d.before;
    const after = d.decision.state;
    if (d.event.type === 'SagaStarted') {
      this.metrics.sagasStarted.inc({ definition, version });
      this.logger.log({ ...base, actor: d.actor, businessKey: d.businessKey, msg: 'saga started' });
    }
    for (const effect of d.decision.effects) {
      if (effect.type === 'SendCommand') {
        this.metrics.commandsSent.inc({ participant: effect.participant, action: effect.action });
      } else if (effect.type === 'RecordAttemptResult') {
        const outcome = effect.status.toLowerCase();
        const started = this.attemptStartedAt(before, d, effect.step, effect.action, effect.attempt);
        if (started !== null) this.metrics.attemptDuration.observe({ definition, step: effect.step, action: effect.action, outcome }, Math.max(0, after.updatedAt - started) / 1000);
        if (effect.status === 'TIMED_OUT') {
          this.metrics.attemptsTimedOut.inc({ definition, step: effect.step, action: effect.action });
          this.logger.log({ ...base, step: effect.step, action: effect.action, attempt: effect.attempt, msg: `step ${effect.step} timed out (${effect.action}, attempt ${effect.attempt})` });
        }
        if (effect.status === 'SUCCEEDED' && effect.action === 'compensate') this.metrics.stepsCompensated.inc({ definition, step: effect.step });
      } else if (effect.type === 'FinishSaga') {
        this.metrics.sagasEnded.inc({ definition, version, status: effect.status });
      }
    }
    if (before.status === after.status) return;
    if (after.compensationReason && !before.compensationReason) {
      const r = after.compensationReason;
      this.metrics.compensationsStarted.inc({ definition, version, cause: r.cause });
      this.logger.log({ ...base, step: r.step, cause: r.cause, by: r.by, reason: r.message, msg: `compensation started: ${r.message}` });
    }
    if (after.escalation && !before.escalation) {
      const waiting = after.escalation.steps.map((name) => ({ step: name, reason: after.steps[name]?.needsAttention?.reason ?? null, message: after.steps[name]?.needsAttention?.message ?? null }));
      const reason = waiting.map((w) => w.reason).find((r) => r !== null) ?? 'UNKNOWN';
      this.metrics.sagasEscalated.inc({ definition, version, reason });
      const first = waiting[0];
      this.logger.warn({ ...base, status: after.status, step: first?.step, attempt: first ? attemptOf(after, first.step) : undefined, reason, steps: waiting, msg: `saga ${after.status}: it needs an operator (${reason}${first?.message ? `: ${first.message}` : ''})` });
    }
  }

  /**
   * When the attempt whose result is recorded was sent: its deadline minus the step's
   * timeout, from the state before the event (the same on every replica, and after a
   * restart). Only for the attempt in progress; an older attempt's send time is not kept.
   */
  private attemptStartedAt(before: SagaState, d: CommittedDecision, step: string, action: string, attempt: number): number | null {
    const s = before.steps[step];
    // Only while the attempt is awaited is dueAt its deadline (in a backoff it is the backoff's end).
    if (!s || s.dueAt === null || s.status !== (action === 'compensate' ? 'COMPENSATING' : 'RUNNING')) return null;
    const current = action === 'compensate' ? s.compensationAttempt : s.attempt;
    if (current !== attempt) return null;
    const def = this.stepOf(d, step);
    return def ? s.dueAt - def.timeoutMs : null;
  }

  private stepOf(d: CommittedDecision, name: string): NormalizedStep | undefined {
    const normalized = d.definition.normalized;
    let byName = this.steps.get(normalized);
    if (!byName) {
      byName = new Map(stepsOf(normalized).map((s) => [s.name, s]));
      this.steps.set(normalized, byName);
    }
    return byName.get(name);
  }
}

/** The step's latest attempt of the action the saga escalated in (compensations when it was compensating). */
function attemptOf(state: SagaState, step: string): number | undefined {
  const s = state.steps[step];
  if (!s) return undefined;
  return state.escalation?.from === 'COMPENSATING' ? s.compensationAttempt : s.attempt;
}
