// The applier: every change to sagas goes through here, as group commit. Work arrives
// from the inbound consumer (replies, start requests, dead letters), the API (starts,
// operator actions) and the timers; whatever is queued when the previous transaction
// ends goes into the next one, so under load one transaction applies hundreds of events
// in a handful of statements, and at rest a single event waits for nobody.
//
// One transaction: insert new instances; record reply ids in the inbox; lock the
// instances the events name (saga_id order) and those with a due timer (SKIP LOCKED,
// never waiting); decide every event in order with the core; write everything in one
// statement; commit. Then each submitter gets its verdict and the batch's messages go to
// the publisher. Offsets, API answers and messages all follow the commit.
//
// Failures: a transient one (database down) retries the same batch, in order, until it
// commits. A deterministic one is isolated by splitting the batch in halves; the one
// event that still fails quarantines its saga (the saga waits for an operator, nothing
// else stops). `decide` throwing for a saga (a corrupt row, a bug) quarantines that saga
// within the same transaction.
import type { Pool, PoolClient } from 'pg';
import { decide } from '../core/decide';
import { APPLIED, type Decision, type IgnoredCode, type RejectionCode } from '../core/decision';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import type { SagaEvent } from '../core/saga-events';
import { createSagaState, type SagaState } from '../core/saga-state';
import { isTerminalSagaStatus, settlesSaga, type SagaStatus } from '../core/saga-status';
import { admitStarts, holdsConcurrencyKey, nextToAdmit } from '../core/concurrency';
import { firstOpenSagas, lockConcurrencyKeys, openConcurrencyKeys } from '../persistence/concurrency-keys';
import { dueTimerEvent, nextTimer } from '../core/timers';
import type { LifecycleEventType, TopicNames } from '@saga-coordinator/participant/protocol';
import { emptyWrites, hasWrites, writeEngineBatch, type DeadLetterRow, type EngineWrites, type OutboxMessageRow } from '../persistence/engine-writes';
import { inTransaction } from '../persistence/queryable';
import { readSagaState } from '../persistence/saga-state.reader';
import { earliestDueAt, findSagasByIdempotencyKeys, insertSagaInstances, lockDueSagas, lockSagaInstances, recordRepliesAndLockSagas, type LockedSaga, type SagaInstanceRow } from '../persistence/saga-instance.repository';
import { appendDecisionRows, type ExtraHeaders } from './decision-rows';
import { breakerAnswer, closedBreaker, nextBreaker, type Breaker } from '../core/participant-breaker';
import { findStep } from '../core/definition-normalization';
import { lockBreakers, saveBreakers } from '../persistence/participant-breaker.repository';
import { EngineUnavailableError, InvalidSagaInputError } from './coordinator-errors';
import type { Publisher } from './publisher';
import type { CommittedDecision, EngineHooks } from './engine-hooks';
import type { ParticipantStats } from './participant-stats';
import type { TimerGate } from './timer-gate';
import { isRetriable } from '@saga-coordinator/participant';
import type { RegisteredDefinition, SagaDefinitionService } from './saga-definition.service';

/** Time and randomness for `decide`: injectable so tests can pin them. */
export interface EngineClock {
  now(): number;
  random(): number;
}

export const systemClock: EngineClock = { now: () => Date.now(), random: () => Math.random() };

export interface EngineEvent {
  sagaId: string;
  event: SagaEvent;
  /** Who caused it: 'api-key:<name>', 'participant:<step>' (a reply), 'timer', 'start-topic'. Recorded in history. */
  actor: string;
  /** Message id to dedupe on (replies); omitted for events that are not messages. */
  messageId?: string;
}

/** What became of one event. The core's verdicts, and the engine's own for events `decide` never saw. */
export type EventVerdict =
  | { kind: 'applied'; sagaId: string; statusBefore: SagaStatus; status: SagaStatus }
  | { kind: 'ignored'; sagaId: string; code: IgnoredCode; reason: string; status: SagaStatus }
  | { kind: 'rejected'; sagaId: string; code: RejectionCode; reason: string; status: SagaStatus }
  | { kind: 'duplicate'; sagaId: string }
  | { kind: 'unknown-saga'; sagaId: string }
  | { kind: 'quarantined'; sagaId: string; reason: string };

export interface PreparedStart {
  sagaId: string;
  definition: RegisteredDefinition;
  input: JsonValue;
  businessKey: string | null;
  idempotencyKey: string | null;
  actor: string;
  /** W3C traceparent the saga's messages carry (hooks.traceContextForStart). */
  traceContext: string | null;
  /** The resolved concurrency key (core concurrencyKeyOf), or null: the saga runs at once. */
  concurrencyKey: string | null;
}

export type StartVerdict = { created: true; saga: SagaInstanceRow } | { created: false; saga: SagaInstanceRow };

/** A message that could not be processed: a dead_letters row and a message on the dead-letter topic, committed with the batch. */
export interface DeadLetter {
  row: DeadLetterRow;
  message: OutboxMessageRow;
}

type WorkItem =
  | { kind: 'start'; start: PreparedStart; deadline: number; resolve: (v: StartVerdict) => void; reject: (e: Error) => void }
  | { kind: 'event'; event: EngineEvent; deadline: number; resolve: (v: EventVerdict) => void; reject: (e: Error) => void }
  | { kind: 'dead-letters'; deadLetters: DeadLetter[]; deadline: number; resolve: (v: void) => void; reject: (e: Error) => void };

export interface ApplierOptions {
  maxBatchEvents: number;
  /** Lifecycle events published on the events topic (the others are only in history). */
  lifecycleEvents: ReadonlySet<LifecycleEventType>;
  /** Fallback for timers written by other replicas (or by this one before a restart). */
  timerPollIntervalMs: number;
  timerBatchSize: number;
  /** Most events waiting before submitters are asked to wait (back-pressure). */
  maxQueuedEvents: number;
  /** While stopping, how long a batch is retried against an unavailable database before its work is given back. */
  stopGraceMs: number;
  onError: (err: Error, context: string) => void;
  onQuarantine: (sagaId: string, reason: string) => void;
  hooks: EngineHooks;
}



interface LoadedSaga {
  locked: LockedSaga;
  definition: RegisteredDefinition;
  before: SagaState;
  state: SagaState;
  changed: boolean;
  quarantine?: { code: string; message: string; at: string; eventType: string };
  /** The quarantine set in this transaction has its history row. */
  quarantineRecorded?: boolean;
  released?: boolean;
}

/** The largest message the engine lets a decision send (Kafka's default limit is 1 MiB per record batch). */
const MAX_MESSAGE_BYTES = 900 * 1024;

/** Per participant, what this transaction sent and the answers it applied (failures: timeouts and retry answers). */
type Answers = Map<string, ParticipantAnswers>;
interface ParticipantAnswers {
  failures: number;
  successes: number;
  probes: number;
  sent: number;
  timeouts: number;
}

interface BatchResult {
  settle: (() => void)[];
  outboxBatchId: string | null;
  outbox: OutboxMessageRow[];
  firedTimers: number;
  earliestDue: number | null;
  breakers: Breaker[];
  answers: Answers;
  committed: CommittedDecision[];
  /** Concurrency keys whose next saga may be admitted now: a keyed saga ended or was queued. */
  keysToAdmit: string[];
}

export class Applier {
  private queue: WorkItem[] = [];
  private queuedEvents = 0;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private drained: (() => void)[] = [];
  private lastTimerCheck = 0;
  private earliestKnownDue: number | null = 0;
  /** The decisions of the transaction under way, handed to the hooks after it commits. */
  private committed: CommittedDecision[] = [];
  private idleSince = Date.now();
  private stoppingSince = 0;

  constructor(
    private readonly pool: Pool,
    private readonly definitions: SagaDefinitionService,
    private readonly publisher: Publisher,
    private readonly topics: TopicNames,
    private readonly clock: EngineClock,
    private readonly timers: TimerGate,
    private readonly stats: ParticipantStats,
    private readonly options: ApplierOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Applies what is queued (giving up after stopGraceMs while the database is down), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.stoppingSince = Date.now();
    this.poke();
    await this.loop;
  }

  get queueLength(): number {
    return this.queuedEvents;
  }

  /** Resolves once fewer than `maxQueuedEvents` events wait (the consumer awaits this before fetching more). */
  async roomForMore(): Promise<void> {
    while (this.queuedEvents >= this.options.maxQueuedEvents && this.running) await new Promise<void>((r) => this.drained.push(r));
  }

  submitStart(start: PreparedStart, waitMs: number): Promise<StartVerdict> {
    return new Promise((resolve, reject) => this.push({ kind: 'start', start, deadline: Date.now() + waitMs, resolve, reject }, 1));
  }

  submitEvent(event: EngineEvent, waitMs: number): Promise<EventVerdict> {
    return new Promise((resolve, reject) => this.push({ kind: 'event', event, deadline: Date.now() + waitMs, resolve, reject }, 1));
  }

  submitDeadLetters(deadLetters: DeadLetter[], waitMs: number): Promise<void> {
    if (deadLetters.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.push({ kind: 'dead-letters', deadLetters, deadline: Date.now() + waitMs, resolve, reject }, deadLetters.length));
  }

  /** A timer due at `dueAt` was written elsewhere: make sure it is checked then. */
  noteDue(dueAt: number): void {
    if (this.earliestKnownDue === null || dueAt < this.earliestKnownDue) {
      this.earliestKnownDue = dueAt;
      this.poke();
    }
  }

  private push(item: WorkItem, weight: number): void {
    if (!this.running) {
      item.reject(new EngineUnavailableError(item.kind === 'start' ? 'the start' : 'the event'));
      return;
    }
    this.queue.push(item);
    this.queuedEvents += weight;
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private timersDue(now: number): boolean {
    if (now - this.lastTimerCheck >= this.options.timerPollIntervalMs) return true;
    return this.earliestKnownDue !== null && this.earliestKnownDue <= now;
  }

  private async run(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      const now = Date.now();
      const fireTimers = this.running && this.timersDue(now);
      if (this.queue.length === 0 && !fireTimers) {
        if (this.publisher.hasPublished && now - this.idleSince >= 50) {
          await this.process([], false);
          continue;
        }
        const next = Math.min(this.lastTimerCheck + this.options.timerPollIntervalMs, this.earliestKnownDue ?? Infinity, this.publisher.hasPublished ? now + 50 : Infinity);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, next - now));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      // Commits faster than Kafka takes their messages would pile them up in memory: wait for the publisher.
      await this.publisher.roomForMore();
      const batch = this.take();
      await this.process(batch, fireTimers);
      this.idleSince = Date.now();
      if (this.queuedEvents < this.options.maxQueuedEvents) for (const r of this.drained.splice(0)) r();
    }
    for (const r of this.drained.splice(0)) r();
  }

  private take(): WorkItem[] {
    const batch: WorkItem[] = [];
    let events = 0;
    while (this.queue.length > 0 && (batch.length === 0 || events < this.options.maxBatchEvents)) {
      const item = this.queue.shift()!;
      const weight = item.kind === 'dead-letters' ? item.deadLetters.length : 1;
      this.queuedEvents -= weight;
      events += weight;
      batch.push(item);
    }
    return batch;
  }

  private async process(batch: WorkItem[], fireTimers: boolean): Promise<void> {
    let delay = 100;
    for (;;) {
      try {
        const began = Date.now();
        const queued = this.queuedEvents;
        const result = await this.transact(batch, fireTimers);
        if (result.outboxBatchId !== null) this.publisher.enqueue(result.outboxBatchId, result.outbox);
        if (result.breakers.length > 0) this.timers.remember(result.breakers);
        const at = Date.now();
        for (const [participant, a] of result.answers) this.stats.record(participant, { sent: a.sent, replies: a.successes + a.failures - a.timeouts, timeouts: a.timeouts }, at);
        for (const settle of result.settle) settle();
        // Admission of queued sagas right after the commit that freed their key; the sweep of every
        // timer round admits what a crash (or another replica's race) left waiting.
        if (result.keysToAdmit.length > 0) this.admitQueued(result.keysToAdmit);
        if (fireTimers) this.admitQueued(null);
        if (result.committed.length > 0 || batch.length > 0) {
          const starts = batch.filter((i) => i.kind === 'start').length;
          try {
            this.options.hooks.committed(result.committed, { events: batch.length - starts, starts, timersFired: result.firedTimers, durationMs: Date.now() - began, queued });
          } catch (err) {
            this.options.onError(err as Error, 'engine hooks');
          }
        }
        if (fireTimers) {
          this.lastTimerCheck = Date.now();
          // More due than one round took: go again at once; else wait for the next known due time.
          this.earliestKnownDue = result.firedTimers >= this.options.timerBatchSize ? 0 : result.earliestDue;
        }
        return;
      } catch (err) {
        if (isRetriable(err)) {
          this.options.onError(err as Error, 'applying a batch (will retry)');
          batch = this.expire(batch);
          if (!this.running && Date.now() - this.stoppingSince >= this.options.stopGraceMs) {
            // Stopping with the database gone: give the work back (messages are redelivered, callers retry).
            for (const item of batch) item.reject(new EngineUnavailableError(item.kind));
            return;
          }
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5_000);
          continue;
        }
        this.options.onError(err as Error, `applying a batch of ${batch.length} (isolating the failing event)`);
        if (batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          await this.process(batch.slice(0, half), fireTimers);
          await this.process(batch.slice(half), false);
        } else if (batch.length === 1) {
          await this.isolate(batch[0], err as Error);
        } else if (fireTimers) {
          await this.isolateTimers();
        }
        return;
      }
    }
  }

  /** API work whose caller stopped waiting is dropped before it is applied; messages are never dropped. */
  private expire(batch: WorkItem[]): WorkItem[] {
    const now = Date.now();
    return batch.filter((item) => {
      if (item.deadline >= now || (item.kind === 'event' && item.event.messageId !== undefined) || item.kind === 'dead-letters') return true;
      if (item.kind === 'start' && item.start.actor === 'start-topic') return true;
      item.reject(new EngineUnavailableError(item.kind === 'start' ? 'the start' : 'the event'));
      return false;
    });
  }

  /** One work item fails deterministically on its own. */
  private async isolate(item: WorkItem, err: Error): Promise<void> {
    if (item.kind !== 'event') {
      item.reject(err);
      return;
    }
    try {
      await this.quarantine(item.event.sagaId, err, item.event.event.type);
      item.resolve({ kind: 'quarantined', sagaId: item.event.sagaId, reason: err.message });
    } catch (again) {
      item.reject(again as Error);
    }
  }

  /** A timer round failed deterministically: fire timers one saga at a time and quarantine the saga that fails. */
  private async isolateTimers(): Promise<void> {
    let sagaId: string | undefined;
    try {
      await inTransaction(this.pool, async (client) => {
        const now = this.clock.now();
        const [due] = await lockDueSagas(client, this.timers.horizon(now), this.timers.held(now).heldBack, 1);
        if (!due) return;
        sagaId = due.sagaId;
        const w = emptyWrites();
        await this.fireDueTimers([due], new Map(), w, new Map());
        await writeEngineBatch(client, w);
      });
    } catch (err) {
      if (sagaId !== undefined && !isRetriable(err)) await this.quarantine(sagaId, err as Error, 'timer').catch((e: Error) => this.options.onError(e, 'quarantining'));
    }
  }

  private async quarantine(sagaId: string, err: Error, eventType: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const locked = (await lockSagaInstances(client, [sagaId])).get(sagaId);
      if (!locked) return;
      const record = { code: (err as { code?: string }).code ?? 'ENGINE_ERROR', message: err.message.slice(0, 2_000), at: new Date(this.clock.now()).toISOString(), eventType };
      await client.query("update saga_instances set quarantine = $2, status = 'FAILED', row_version = row_version + 1, updated_at = now() where saga_id = $1", [sagaId, JSON.stringify(record)]);
      await client.query(
        `insert into saga_history (saga_id, event_type, event, status_before, status_after, verdict, verdict_code, verdict_reason, actor)
         values ($1, $2, '{}'::jsonb, null, 'FAILED', 'quarantined', $3, $4, 'engine')`,
        [sagaId, eventType, record.code, record.message],
      );
    });
    this.options.onQuarantine(sagaId, err.message);
  }

  private async transact(batch: WorkItem[], fireTimers: boolean): Promise<BatchResult> {
    const now = this.clock.now();
    const settle: (() => void)[] = [];
    const published = this.publisher.takePublished();
    try {
      return await inTransaction(this.pool, async (client) => {
        const w = emptyWrites();
        w.publishedBatchIds = published;
        const answers: Answers = new Map();
        const committed: CommittedDecision[] = [];
        this.committed = committed;
        const keysToAdmit = new Set<string>();
        await this.applyStarts(client, batch, now, w, settle, answers, keysToAdmit);
        const loaded = await this.applyEvents(client, batch, now, w, settle, answers);
        for (const item of batch) {
          if (item.kind !== 'dead-letters') continue;
          for (const dl of item.deadLetters) {
            w.deadLetters.push(dl.row);
            w.outbox.push(dl.message);
          }
          settle.push(() => item.resolve());
        }
        let firedTimers = 0;
        let earliestDue: number | null = null;
        if (fireTimers) {
          const { heldBack } = this.timers.held(now);
          const due = await lockDueSagas(client, this.timers.horizon(now), heldBack, this.options.timerBatchSize);
          firedTimers = await this.fireDueTimers(due, loaded, w, answers);
          earliestDue = await earliestDueAt(client);
          // Due but held back (replies not read yet, participant down): look again shortly, not in a spin.
          if (earliestDue !== null && earliestDue <= now) earliestDue = now + 100;
        }
        for (const s of loaded.values()) this.appendUpdate(w, s);
        for (const s of loaded.values()) if (s.state.concurrencyKey !== null && !holdsConcurrencyKey(s.state.status) && holdsConcurrencyKey(s.before.status)) keysToAdmit.add(s.state.concurrencyKey);
        const breakers = await this.updateBreakers(client, answers, now);
        const { outboxBatchId } = hasWrites(w) ? await writeEngineBatch(client, w) : { outboxBatchId: null };
        for (const u of w.updates) if (u.nextDueAt !== null) this.earliestKnownDue = this.earliestKnownDue === null ? u.nextDueAt : Math.min(this.earliestKnownDue, u.nextDueAt);
        return { settle, outboxBatchId, outbox: w.outbox, firedTimers, earliestDue, breakers, answers, committed, keysToAdmit: [...keysToAdmit] };
      });
    } catch (err) {
      this.publisher.returnPublished(published);
      throw err;
    }
  }

  private async applyStarts(client: PoolClient, batch: WorkItem[], now: number, w: EngineWrites, settle: (() => void)[], answers: Answers, keysToAdmit: Set<string>): Promise<void> {
    const starts = batch.filter((i): i is Extract<WorkItem, { kind: 'start' }> => i.kind === 'start');
    if (starts.length === 0) return;
    // Keyed starts: the keys' locks first (before any row lock), then which keys are open; sagas without a key skip both.
    const keys = starts.map((item) => item.start.concurrencyKey);
    const keyed = keys.filter((k): k is string => k !== null);
    let runsNow = keys.map(() => true);
    if (keyed.length > 0) {
      await lockConcurrencyKeys(client, keyed);
      runsNow = admitStarts(keys, await openConcurrencyKeys(client, keyed));
    }
    const decided = starts
      .map((item, i) => {
        const s = item.start;
        const queued = !runsNow[i];
        const initial = createSagaState({ sagaId: s.sagaId, definition: s.definition.normalized, definitionVersion: s.definition.version, input: s.input, now, queued, concurrencyKey: s.concurrencyKey });
        const event: SagaEvent = { type: 'SagaStarted' };
        // A queued saga is accepted as it is: it is decided (SagaStarted) when its turn comes.
        const decision: Decision = queued ? { state: initial, effects: [], verdict: APPLIED } : decide(initial, s.definition.normalized, event, { now, random: this.clock.random });
        return { item, initial, event, decision, queued, next: nextTimer(decision.state, s.definition.normalized) };
      })
      .filter((d) => {
        // A first command Kafka would refuse: the input is too large to start this saga.
        const big = d.decision.effects.find((e) => e.type === 'SendCommand' && Buffer.byteLength(JSON.stringify(e.payload)) > MAX_MESSAGE_BYTES - 4_096);
        if (!big) return true;
        const err = new InvalidSagaInputError(d.item.start.definition.name, [{ path: '', message: `is too large: the command of step '${(big as { step: string }).step}' would exceed the ${MAX_MESSAGE_BYTES} bytes a Kafka message may have` }]);
        settle.push(() => d.item.reject(err));
        return false;
      });
    if (decided.length === 0) return;
    const created = await insertSagaInstances(
      client,
      decided.map(({ item, decision, next }) => ({
        sagaId: item.start.sagaId,
        definitionName: item.start.definition.name,
        definitionVersion: item.start.definition.version,
        status: decision.state.status,
        businessKey: item.start.businessKey,
        idempotencyKey: item.start.idempotencyKey,
        input: item.start.input,
        state: decision.state,
        nextDueAt: next?.dueAt ?? null,
        nextDueParticipant: next?.participant ?? null,
        traceContext: item.start.traceContext,
        concurrencyKey: item.start.concurrencyKey,
      })),
    );
    const duplicates = decided.filter((d) => !created.has(d.item.start.sagaId));
    const existing = new Map((await findSagasByIdempotencyKeys(client, duplicates.map((d) => d.item.start.idempotencyKey!))).map((r) => [r.idempotencyKey!, r]));
    for (const d of decided) {
      const s = d.item.start;
      if (created.has(s.sagaId)) {
        if (d.queued) {
          w.history.push({ sagaId: s.sagaId, eventType: 'SagaQueued', event: { type: 'SagaQueued', concurrencyKey: s.concurrencyKey }, statusBefore: null, statusAfter: d.decision.state.status, verdict: 'applied', verdictCode: null, verdictReason: null, actor: s.actor });
          // Its key may have been freed while this transaction waited for the key's lock.
          keysToAdmit.add(s.concurrencyKey!);
        } else {
          const decided = { sagaId: s.sagaId, event: d.event, actor: s.actor, before: d.initial, decision: d.decision, definitionVersion: s.definition.version, businessKey: s.businessKey, idempotencyKey: s.idempotencyKey };
          appendDecisionRows(w, decided, { topics: this.topics, lifecycleEvents: this.options.lifecycleEvents }, this.headersFor(s.traceContext));
          this.committed.push({ ...decided, definition: s.definition, traceContext: s.traceContext });
          countAnswers(answers, d.decision, s.definition);
          if (d.next) this.noteWritten(d.next.dueAt);
        }
        const at = new Date(now);
        const saga: SagaInstanceRow = {
          sagaId: s.sagaId,
          definitionName: s.definition.name,
          definitionVersion: s.definition.version,
          status: d.decision.state.status,
          businessKey: s.businessKey,
          idempotencyKey: s.idempotencyKey,
          input: s.input,
          state: d.decision.state,
          rowVersion: 1,
          createdAt: at,
          updatedAt: at,
          finishedAt: null,
          traceContext: s.traceContext,
          quarantine: null,
        };
        settle.push(() => d.item.resolve({ created: true, saga }));
      } else {
        const winner = existing.get(s.idempotencyKey!);
        if (winner) settle.push(() => d.item.resolve({ created: false, saga: winner }));
        // Taken within this very statement by another start of the batch: that one's row is the answer after commit.
        else settle.push(() => void this.resolveLater(d.item));
      }
    }
  }

  /**
   * Starts the first saga of each key (null: of every key, the sweep) if it is QUEUED: the
   * one before it has ended. An ordinary SagaStarted event, applied by a later batch; a
   * duplicate admission (two replicas, a hint and the sweep) is ignored as ALREADY_STARTED.
   */
  private admitQueued(keys: string[] | null): void {
    if (!this.running) return;
    void firstOpenSagas(this.pool, keys, keys === null ? this.options.timerBatchSize : keys.length)
      .then((first) => {
        for (const saga of first) {
          if (nextToAdmit([saga]) === null) continue;
          this.submitEvent({ sagaId: saga.sagaId, event: { type: 'SagaStarted' }, actor: 'engine:concurrency-key' }, Number.MAX_SAFE_INTEGER).catch((err: Error) => this.options.onError(err, 'admitting a queued saga'));
        }
      })
      .catch((err: Error) => this.options.onError(err, 'reading queued sagas'));
  }

  private async resolveLater(item: Extract<WorkItem, { kind: 'start' }>): Promise<void> {
    try {
      const [winner] = await findSagasByIdempotencyKeys(this.pool, [item.start.idempotencyKey!]);
      if (winner) item.resolve({ created: false, saga: winner });
      else item.reject(new Error(`idempotency key ${item.start.idempotencyKey} conflicted but no saga holds it`));
    } catch (err) {
      item.reject(err as Error);
    }
  }

  private headersFor(traceContext: string | null): ExtraHeaders {
    return (message) => this.options.hooks.messageHeaders(traceContext, message);
  }

  private noteWritten(dueAt: number): void {
    if (this.earliestKnownDue === null || dueAt < this.earliestKnownDue) this.earliestKnownDue = dueAt;
  }

  private async applyEvents(client: PoolClient, batch: WorkItem[], now: number, w: EngineWrites, settle: (() => void)[], answers: Answers): Promise<Map<string, LoadedSaga>> {
    const events = batch.filter((i): i is Extract<WorkItem, { kind: 'event' }> => i.kind === 'event');
    const loaded = new Map<string, LoadedSaga>();
    if (events.length === 0) return loaded;
    const withIds = events.filter((e) => e.event.messageId !== undefined);
    const { fresh, locked } = await recordRepliesAndLockSagas(
      client,
      withIds.map((e) => ({ messageId: e.event.messageId!, sagaId: e.event.sagaId })),
      [...new Set(events.map((e) => e.event.sagaId))],
    );
    const seenIds = new Set<string>();
    for (const item of events) {
      const { sagaId, messageId } = item.event;
      if (messageId !== undefined) {
        if (!fresh.has(messageId) || seenIds.has(messageId)) {
          settle.push(() => item.resolve({ kind: 'duplicate', sagaId }));
          continue;
        }
        seenIds.add(messageId);
      }
      const row = locked.get(sagaId);
      if (!row) {
        settle.push(() => item.resolve({ kind: 'unknown-saga', sagaId }));
        continue;
      }
      const verdict = await this.decideOne(row, loaded, item.event, now, w, answers);
      settle.push(() => item.resolve(verdict));
    }
    return loaded;
  }

  /** Loads (once per batch) and reads the state of a locked saga; null when it is quarantined or unreadable. */
  private async load(row: LockedSaga, loaded: Map<string, LoadedSaga>, eventType: string, now: number): Promise<LoadedSaga> {
    const known = loaded.get(row.sagaId);
    if (known) return known;
    const definition = await this.definitions.get(row.definitionName, row.definitionVersion);
    let state: SagaState;
    try {
      state = readSagaState(row.state, row.sagaId);
    } catch (err) {
      const s: LoadedSaga = { locked: row, definition, before: row.state as SagaState, state: row.state as SagaState, changed: true };
      this.markQuarantined(s, err as Error, eventType, now);
      loaded.set(row.sagaId, s);
      return s;
    }
    const s: LoadedSaga = { locked: row, definition, before: state, state, changed: false };
    loaded.set(row.sagaId, s);
    return s;
  }

  private markQuarantined(s: LoadedSaga, err: Error, eventType: string, now: number): void {
    s.quarantine = { code: (err as { code?: string }).code ?? 'ENGINE_ERROR', message: err.message.slice(0, 2_000), at: new Date(now).toISOString(), eventType };
    s.changed = true;
    this.options.onQuarantine(s.locked.sagaId, err.message);
  }

  private async decideOne(row: LockedSaga, loaded: Map<string, LoadedSaga>, e: EngineEvent, now: number, w: EngineWrites, answers: Answers): Promise<EventVerdict> {
    const s = await this.load(row, loaded, e.event.type, now);
    if (s.quarantine && !s.quarantineRecorded) {
      // The state could not be read: this event is the one that found out.
      s.quarantineRecorded = true;
      w.history.push({ sagaId: row.sagaId, eventType: e.event.type, event: e.event, statusBefore: null, statusAfter: 'FAILED', verdict: 'quarantined', verdictCode: s.quarantine.code, verdictReason: s.quarantine.message, actor: e.actor });
      return { kind: 'quarantined', sagaId: row.sagaId, reason: s.quarantine.message };
    }
    const quarantined = s.quarantine ?? (row.quarantine && !s.released ? (row.quarantine as { message?: string }) : undefined);
    if (quarantined) {
      // An operator's resume releases a quarantined saga; its state is decided again from there on.
      if (e.event.type === 'ResumeRequested' && !s.quarantine) {
        s.released = true;
        s.changed = true;
        w.history.push({ sagaId: row.sagaId, eventType: e.event.type, event: e.event, statusBefore: 'FAILED', statusAfter: s.state.status, verdict: 'applied', verdictCode: 'QUARANTINE_RELEASED', verdictReason: 'released from quarantine', actor: e.actor });
        return { kind: 'applied', sagaId: row.sagaId, statusBefore: 'FAILED', status: s.state.status };
      }
      const reason = `saga is quarantined: ${quarantined.message ?? 'it could not be decided'}`;
      w.history.push({ sagaId: row.sagaId, eventType: e.event.type, event: e.event, statusBefore: 'FAILED', statusAfter: 'FAILED', verdict: 'quarantined', verdictCode: 'SAGA_QUARANTINED', verdictReason: reason, actor: e.actor });
      return { kind: 'quarantined', sagaId: row.sagaId, reason };
    }
    let decision: Decision;
    try {
      decision = decide(s.state, s.definition.normalized, e.event, { now, random: this.clock.random });
    } catch (err) {
      this.markQuarantined(s, err as Error, e.event.type, now);
      s.quarantineRecorded = true;
      w.history.push({ sagaId: row.sagaId, eventType: e.event.type, event: e.event, statusBefore: s.state.status, statusAfter: 'FAILED', verdict: 'quarantined', verdictCode: (err as { code?: string }).code ?? 'ENGINE_ERROR', verdictReason: (err as Error).message.slice(0, 2_000), actor: e.actor });
      return { kind: 'quarantined', sagaId: row.sagaId, reason: (err as Error).message };
    }
    const decided = { sagaId: row.sagaId, event: e.event, actor: e.actor, before: s.state, decision, definitionVersion: row.definitionVersion, businessKey: row.businessKey, idempotencyKey: row.idempotencyKey };
    const marks = { history: w.history.length, attempts: w.attempts.length, attemptResults: w.attemptResults.length, outbox: w.outbox.length };
    appendDecisionRows(w, decided, { topics: this.topics, lifecycleEvents: this.options.lifecycleEvents }, this.headersFor(row.traceContext));
    const oversized = w.outbox.slice(marks.outbox).find((m) => Buffer.byteLength(m.value) > MAX_MESSAGE_BYTES);
    if (oversized) {
      // Kafka would refuse it on every try (and hold up every message behind it): the decision cannot be carried out.
      w.history.length = marks.history;
      w.attempts.length = marks.attempts;
      w.attemptResults.length = marks.attemptResults;
      w.outbox.length = marks.outbox;
      const err = Object.assign(new Error(`the ${oversized.topic} message this event causes has ${Buffer.byteLength(oversized.value)} bytes, more than the ${MAX_MESSAGE_BYTES} a Kafka message may have (step input or output too large)`), { code: 'MESSAGE_TOO_LARGE' });
      this.markQuarantined(s, err, e.event.type, now);
      s.quarantineRecorded = true;
      w.history.push({ sagaId: row.sagaId, eventType: e.event.type, event: e.event, statusBefore: s.state.status, statusAfter: 'FAILED', verdict: 'quarantined', verdictCode: 'MESSAGE_TOO_LARGE', verdictReason: err.message, actor: e.actor });
      return { kind: 'quarantined', sagaId: row.sagaId, reason: err.message };
    }
    this.committed.push({ ...decided, definition: s.definition, traceContext: row.traceContext });
    const v = decision.verdict;
    if (v.kind === 'applied') {
      const statusBefore = s.state.status;
      s.state = decision.state;
      s.changed = true;
      countAnswers(answers, decision, s.definition);
      return { kind: 'applied', sagaId: row.sagaId, statusBefore, status: s.state.status };
    }
    return { ...v, sagaId: row.sagaId, status: s.state.status };
  }

  private async fireDueTimers(due: LockedSaga[], loaded: Map<string, LoadedSaga>, w: EngineWrites, answers: Answers): Promise<number> {
    const now = this.clock.now();
    const { heldBack, probes } = this.timers.held(now);
    const held = new Set(heldBack);
    const probing = new Set(probes);
    const horizon = this.timers.horizon(now);
    let fired = 0;
    for (const row of due) {
      const s = await this.load(row, loaded, 'timer', now);
      if (s.quarantine) {
        if (!s.quarantineRecorded) {
          s.quarantineRecorded = true;
          w.history.push({ sagaId: row.sagaId, eventType: 'timer', event: {}, statusBefore: null, statusAfter: 'FAILED', verdict: 'quarantined', verdictCode: s.quarantine.code, verdictReason: s.quarantine.message, actor: 'timer' });
        }
        continue;
      }
      // A saga may have several timers due (a group's attempts): fire them one by one on the evolving state.
      for (let i = 0; i < 16 && !isTerminalSagaStatus(s.state.status); i++) {
        const event = dueTimerEvent(s.state, s.definition.normalized, horizon, (p) => held.has(p));
        if (event === null) break;
        const participant = 'step' in event ? findStep(s.definition.normalized, event.step)?.participant : undefined;
        if (participant !== undefined && probing.has(participant)) {
          // The breaker's cool-down is over: this one timer is its probe; the participant's others wait for its answer.
          probing.delete(participant);
          held.add(participant);
          bump(answers, participant).probes += 1;
        }
        const verdict = await this.decideOne(row, loaded, { sagaId: row.sagaId, event, actor: 'timer' }, now, w, answers);
        fired += 1;
        if (verdict.kind !== 'applied') break;
      }
    }
    return fired;
  }

  /**
   * Feeds the answers of this transaction to the breakers of their participants. A healthy
   * participant (closed, no failures) with only successes needs no write, so its row is
   * never locked; only failing or recovering participants' rows are.
   */
  private async updateBreakers(client: PoolClient, answers: Answers, now: number): Promise<Breaker[]> {
    const touched = [...answers.entries()].filter(([p, a]) => {
      const known = this.timers.breaker(p);
      return a.failures > 0 || a.probes > 0 || (known !== undefined && (known.state !== 'closed' || known.failures > 0));
    });
    if (touched.length === 0) return [];
    touched.sort(([a], [b]) => (a < b ? -1 : 1));
    const current = await lockBreakers(client, touched.map(([p]) => p));
    const changes: { before: Breaker | null; after: Breaker }[] = [];
    for (const [participant, a] of touched) {
      const before = current.get(participant) ?? null;
      let after = before ?? closedBreaker(participant, now);
      if (a.probes > 0) after = nextBreaker(after, { type: 'probe-sent', at: now }, this.timers.breakerPolicy);
      after = nextBreaker(after, { type: 'answers', failures: a.failures, successes: a.successes, at: now }, this.timers.breakerPolicy);
      if (before === null ? after.failures > 0 || after.state !== 'closed' : after !== before) changes.push({ before, after });
    }
    await saveBreakers(client, changes);
    return changes.map((c) => c.after);
  }

  private appendUpdate(w: EngineWrites, s: LoadedSaga): void {
    if (!s.changed) return;
    if (s.quarantine) {
      w.updates.push({ sagaId: s.locked.sagaId, expectedRowVersion: s.locked.rowVersion, status: 'FAILED', state: s.locked.state, finished: false, nextDueAt: null, nextDueParticipant: null, quarantine: s.quarantine, settles: settlesSaga(s.before.status, 'FAILED') });
      return;
    }
    const next = nextTimer(s.state, s.definition.normalized);
    w.updates.push({
      sagaId: s.locked.sagaId,
      expectedRowVersion: s.locked.rowVersion,
      status: s.state.status,
      state: s.state,
      finished: isTerminalSagaStatus(s.state.status),
      settles: settlesSaga(s.before.status, s.state.status),
      nextDueAt: next?.dueAt ?? null,
      nextDueParticipant: next?.participant ?? null,
      ...(s.released ? { quarantine: null } : {}),
    });
  }
}

function bump(answers: Answers, participant: string): ParticipantAnswers {
  let a = answers.get(participant);
  if (!a) {
    a = { failures: 0, successes: 0, probes: 0, sent: 0, timeouts: 0 };
    answers.set(participant, a);
  }
  return a;
}

/** Timeouts and retry answers count as failures of the participant; success and business failure show it works. */
function countAnswers(answers: Answers, decision: Decision, definition: RegisteredDefinition): void {
  for (const effect of decision.effects) {
    if (effect.type === 'SendCommand') {
      bump(answers, effect.participant).sent += 1;
      continue;
    }
    if (effect.type !== 'RecordAttemptResult') continue;
    const answer = breakerAnswer(effect.status);
    const participant = findStep(definition.normalized, effect.step)?.participant;
    if (answer === null || participant === undefined) continue;
    const a = bump(answers, participant);
    if (answer === 'failure') a.failures += 1;
    else a.successes += 1;
    if (effect.status === 'TIMED_OUT') a.timeouts += 1;
  }
}
