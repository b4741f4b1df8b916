// The coordinator's Prometheus metrics (prom-client), in a registry of its own per
// application (two coordinators in one process, as in the tests, never share counters).
// Counters and histograms are fed by the engine hooks after each commit; gauges of what
// the database and Kafka hold are read when /metrics is scraped, by one grouped query and
// a few admin calls, bounded in time. Labels are bounded: definition, version, step,
// action, participant, status, reason code, topic, partition, route — never a saga id.
// docs/observability.md documents every metric (a test checks it).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SAGA_STATUSES } from '../core/saga-status';

/** Attempt durations: from a few milliseconds to the longest sensible timeouts. */
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const BATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export const METRIC_PREFIX = 'saga_coordinator_';

export class CoordinatorMetrics {
  readonly registry = new Registry();

  readonly sagasStarted = this.counter('sagas_started_total', 'Sagas started (accepted and their first commands committed)', ['definition', 'version']);
  readonly sagasEnded = this.counter('sagas_ended_total', 'Sagas that reached a final status (COMPLETED or COMPENSATED)', ['definition', 'version', 'status']);
  readonly sagasEscalated = this.counter('sagas_escalated_total', 'Times a saga became FAILED (waits for an operator), by why', ['definition', 'version', 'reason']);
  readonly compensationsStarted = this.counter('saga_compensations_started_total', 'Sagas that began to compensate, by cause (step-failed, cancel-requested, deadline-reached, step-overridden)', ['definition', 'version', 'cause']);
  readonly stepsCompensated = this.counter('step_compensations_total', 'Steps undone by a successful compensation', ['definition', 'step']);
  readonly commandsSent = this.counter('commands_sent_total', 'Commands (attempts) committed for sending, by participant and action', ['participant', 'action']);
  readonly attemptsTimedOut = this.counter('step_attempts_timed_out_total', 'Attempts that got no reply by their deadline', ['definition', 'step', 'action']);
  readonly attemptDuration = new Histogram({
    name: `${METRIC_PREFIX}step_attempt_duration_seconds`,
    help: 'From sending an attempt to its result (reply, timeout, abandoned), by outcome (succeeded, failed, retry_requested, timed_out, abandoned)',
    labelNames: ['definition', 'step', 'action', 'outcome'],
    buckets: ATTEMPT_BUCKETS,
    registers: [this.registry],
  });
  readonly deadLetters = this.counter('dead_letters_total', 'Messages dead-lettered by the coordinator, by reason code', ['reason_code', 'topic']);
  readonly quarantines = this.counter('sagas_quarantined_total', 'Sagas quarantined because an event could not be decided', []);
  readonly operatorActions = this.counter('operator_actions_total', 'Operator and initiator requests (cancel, retry, resume, override) by verdict', ['action', 'verdict']);
  readonly engineBatchDuration = new Histogram({
    name: `${METRIC_PREFIX}engine_batch_duration_seconds`,
    help: 'Duration of one engine transaction (group commit), from taking the batch to the commit',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly engineEvents = this.counter('engine_events_total', 'Events the engine decided, by verdict (applied, ignored, rejected)', ['verdict']);

  readonly sagasByStatus = this.gauge('sagas', 'Saga instances in each status (every status of the core is listed), by definition', ['status', 'definition']);
  readonly sagasNeedingOperator = this.gauge('sagas_needing_operator', 'Sagas in status FAILED, waiting for an operator', []);
  readonly sagasQuarantinedNow = this.gauge('sagas_quarantined', 'Sagas quarantined now (waiting for an operator to resume them)', []);
  readonly outboxBatches = this.gauge('outbox_unsent_batches', 'Outbox batches (one per transaction) not yet published and deleted', []);
  readonly outboxMessages = this.gauge('outbox_unsent_messages', 'Messages in the outbox batches not yet published', []);
  readonly outboxOldest = this.gauge('outbox_oldest_unsent_age_seconds', 'Age of the oldest unsent outbox batch (0 when empty)', []);
  readonly timersDue = this.gauge('timers_due', 'Sagas whose earliest timer (timeout, backoff, deadline) is due now', []);
  readonly timersOverdue = this.gauge('timers_overdue', 'Sagas whose earliest timer has been due for more than 5 s (held back, or the engine lags)', []);
  readonly consumerLag = this.gauge('consumer_lag_messages', "Messages of the inbound topics (replies, start requests) not yet committed by the coordinator's consumer group", ['topic', 'partition']);
  readonly participantConsumers = this.gauge('participant_consumers', "Members of the consumer group holding a participant's command topic (0: not consuming; its timers wait)", ['participant']);
  readonly participantLag = this.gauge('participant_command_lag_messages', "Commands written to a participant's command topic and not yet consumed", ['participant']);
  readonly participantStatus = this.gauge('participant_status', 'A participant\'s status as the coordinator sees it: 1 for its current status (healthy, slow, not-consuming, unknown), 0 for the others', ['participant', 'status']);
  readonly poolConnections = this.gauge('db_pool_connections', "Connections of the coordinator's PostgreSQL pool, by state (idle, in_use)", ['state']);
  readonly poolWaiting = this.gauge('db_pool_waiting_requests', 'Queries waiting for a free pool connection', []);
  readonly scrapeErrors = this.counter('metrics_scrape_errors_total', 'Scrapes that could not read a source (database, kafka); its gauges keep their last values', ['source']);

  readonly httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests served, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the per-status gauge: every status of the core (so a new one appears by itself) for every definition seen, then those stored. */
  setStatusCounts(rows: { status: string; definition: string; count: number }[]): void {
    this.sagasByStatus.reset();
    const definitions = new Set(rows.map((r) => r.definition));
    for (const definition of definitions) for (const status of SAGA_STATUSES) this.sagasByStatus.set({ status, definition }, 0);
    let failed = 0;
    for (const r of rows) {
      this.sagasByStatus.set({ status: r.status, definition: r.definition }, r.count);
      if (r.status === 'FAILED') failed += r.count;
    }
    this.sagasNeedingOperator.set(failed);
  }

  private counter(name: string, help: string, labelNames: string[]): Counter<string> {
    return new Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
    return new Gauge({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }
}
