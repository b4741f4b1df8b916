// The participant's metrics and traces, both optional: with `prom-client` installed (an
// optional peer dependency) the SDK counts into a registry of its own (handler duration,
// barrier duplicates, null compensations, refused hanging executes, replies sent), labelled
// by participant so several participants of one process share it; with
// `@opentelemetry/api` installed, each handler runs in a CONSUMER span that continues the
// command's W3C traceparent (the business transaction's queries happen inside it) and the
// reply carries that span's context back. Without them, nothing is loaded and nothing is
// recorded; the reply still carries the command's traceparent, so the trace goes on.
/* eslint-disable @typescript-eslint/no-require-imports -- optional peers, loaded only when installed (see above) */
import type { StepAction } from './protocol/protocol';

/** A prom-client registry, structurally (its types stay out of the SDK's public API). */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
}

interface LabelledCounter {
  inc(labels: Record<string, string>): void;
}

interface SdkMetrics {
  registry: MetricsRegistry;
  handlerDuration: { observe(labels: Record<string, string>, seconds: number): void };
  duplicates: LabelledCounter;
  nullCompensations: LabelledCounter;
  hangingRefused: LabelledCounter;
  repliesSent: LabelledCounter;
}

let metrics: SdkMetrics | null | undefined;

/** The SDK's metrics, or null without prom-client. */
export function sdkMetrics(): SdkMetrics | null {
  if (metrics !== undefined) return metrics;
  try {
    const prom = require('prom-client') as typeof import('prom-client');
    const registry = new prom.Registry();
    const counter = (name: string, help: string, labelNames: string[]) => new prom.Counter({ name, help, labelNames, registers: [registry] });
    metrics = {
      registry,
      handlerDuration: new prom.Histogram({
        name: 'saga_participant_handler_duration_seconds',
        help: "A handler's run with its barrier work, by the reply's outcome (success, failure, retry)",
        labelNames: ['participant', 'command_type', 'action', 'outcome'],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
      duplicates: counter('saga_participant_barrier_duplicates_total', 'Commands answered from the barrier: decided before, the handler not run again', ['participant', 'action']),
      nullCompensations: counter('saga_participant_null_compensations_total', 'Compensations of steps that never applied here, recorded and answered success', ['participant']),
      hangingRefused: counter('saga_participant_hanging_refused_total', 'Late executes refused because their compensation came first', ['participant']),
      repliesSent: counter('saga_participant_replies_sent_total', 'Replies published', ['participant', 'action', 'outcome']),
    };
  } catch {
    metrics = null;
  }
  return metrics;
}

type OtelApi = typeof import('@opentelemetry/api');
let otel: OtelApi | null | undefined;

function otelApi(): OtelApi | null {
  if (otel !== undefined) return otel;
  try {
    otel = require('@opentelemetry/api') as OtelApi;
  } catch {
    otel = null;
  }
  return otel;
}

/** Trace headers of the commands being handled, by messageId (set by the consumer, read by the handler's span). */
const commandTrace = new Map<string, { traceparent: string; tracestate?: string }>();
/** The trace headers each reply carries, by the command's messageId. */
const replyTrace = new Map<string, Record<string, string>>();

/** Commands whose reply never went out (a crash of the batch) are forgotten past this many. */
const MAX_REMEMBERED = 10_000;

export function rememberCommandTrace(messageId: string, headers: Record<string, string>): void {
  if (!headers.traceparent) return;
  for (const key of commandTrace.keys()) {
    if (commandTrace.size < MAX_REMEMBERED) break;
    commandTrace.delete(key);
    replyTrace.delete(key);
  }
  commandTrace.set(messageId, { traceparent: headers.traceparent, ...(headers.tracestate ? { tracestate: headers.tracestate } : {}) });
  replyTrace.set(messageId, { ...commandTrace.get(messageId)! });
}

/** The reply's trace headers (the handler span's, else the command's); forgets the command. */
export function takeReplyTrace(messageId: string): Record<string, string> {
  const headers = replyTrace.get(messageId) ?? {};
  commandTrace.delete(messageId);
  replyTrace.delete(messageId);
  return headers;
}

export interface HandlerSpanInfo {
  participant: string;
  sagaId: string;
  step: string;
  attempt: number;
  commandType: string;
  messageId: string;
  action: StepAction;
}

/** Runs `call` in the handler's span (when OpenTelemetry is present) and observes its duration. */
export async function inHandlerSpan<T extends { kind: string }>(info: HandlerSpanInfo, call: () => Promise<T>): Promise<T> {
  const began = process.hrtime.bigint();
  const api = otelApi();
  const incoming = commandTrace.get(info.messageId);
  let result: T;
  if (!api) {
    result = await call();
  } else {
    const carrier: Record<string, string> = incoming ? { ...incoming } : {};
    const getter = { get: (c: Record<string, string>, k: string) => c[k], keys: (c: Record<string, string>) => Object.keys(c) };
    const parent = incoming ? new W3C(api).extract(api.ROOT_CONTEXT, carrier, getter) : api.context.active();
    const span = api.trace.getTracer('@saga-coordinator/participant').startSpan(
      `${info.commandType} ${info.action}`,
      {
        kind: api.SpanKind.CONSUMER,
        attributes: { 'saga.id': info.sagaId, 'saga.step': info.step, 'saga.action': info.action, 'saga.attempt': info.attempt, 'saga.participant': info.participant, 'messaging.system': 'kafka' },
      },
      parent,
    );
    try {
      result = await api.context.with(api.trace.setSpan(parent, span), call);
      span.setAttribute('saga.outcome', result.kind);
      if (result.kind !== 'success') span.setStatus({ code: api.SpanStatusCode.ERROR, message: result.kind });
    } finally {
      span.end();
    }
    const sc = span.spanContext();
    if (span.isRecording() || sc.spanId !== api.trace.getSpanContext(parent)?.spanId) {
      if (api.isSpanContextValid(sc)) replyTrace.set(info.messageId, new W3C(api).headersOf(sc));
    }
  }
  sdkMetrics()?.handlerDuration.observe({ participant: info.participant, command_type: info.commandType, action: info.action, outcome: result.kind }, Number(process.hrtime.bigint() - began) / 1e9);
  return result;
}

/** The W3C traceparent format, without depending on @opentelemetry/core. */
class W3C {
  constructor(private readonly api: OtelApi) {}

  extract(ctx: import('@opentelemetry/api').Context, carrier: Record<string, string>, getter: { get(c: Record<string, string>, k: string): string | undefined }): import('@opentelemetry/api').Context {
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(getter.get(carrier, 'traceparent')?.trim() ?? '');
    if (!m) return ctx;
    const tracestate = getter.get(carrier, 'tracestate');
    const sc = { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & 1, isRemote: true, ...(tracestate ? { traceState: this.api.createTraceState(tracestate) } : {}) };
    return this.api.isSpanContextValid(sc) ? this.api.trace.setSpanContext(ctx, sc) : ctx;
  }

  headersOf(sc: import('@opentelemetry/api').SpanContext): Record<string, string> {
    const headers: Record<string, string> = { traceparent: `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString(16)}` };
    const state = sc.traceState?.serialize();
    if (state) headers.tracestate = state;
    return headers;
  }
}
