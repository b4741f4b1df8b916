// One OpenTelemetry trace per saga. The start opens it (continuing the initiator's
// traceparent from the HTTP header or the start-topic message), and the saga keeps that
// context (sagas.trace_context); every command is a PRODUCER span, child of it, whose
// W3C traceparent/tracestate travel in the command's Kafka headers, so the participant's
// handler span (the SDK continues it) and compensations land in the same trace.
//
// Spans go through the global OpenTelemetry API: whatever tracer provider the process
// registered (setUpTracing below when OTEL_EXPORTER_OTLP_ENDPOINT is set, or an
// embedding program's, or a test's in-memory exporter). With none, the saga still gets
// a trace id and its commands still carry it, unsampled (flags 00), so a participant's
// spans join one trace and the API can show it, at the cost of two random ids per span.
import { context, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context, type SpanContext, isSpanContextValid } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { randomFillSync } from 'node:crypto';
import type { MessageContext } from '../coordinator/engine-hooks';

const W3C = new W3CTraceContextPropagator();

// Ids come from a pool refilled 4 KB at a time, as Node's randomUUID does: a random read per
// id cost about 1 % of the coordinator's CPU at 1,024 sagas in flight.
const ID_POOL = Buffer.alloc(4096);
let idPoolAt = ID_POOL.length;

function randomHex(bytes: number): string {
  if (idPoolAt + bytes > ID_POOL.length) {
    randomFillSync(ID_POOL);
    idPoolAt = 0;
  }
  idPoolAt += bytes;
  return ID_POOL.toString('hex', idPoolAt - bytes, idPoolAt);
}
const TRACER_NAME = 'saga-coordinator';

/** The W3C headers of one span context. */
export function traceHeaders(sc: SpanContext): Record<string, string> {
  const carrier: Record<string, string> = {};
  W3C.inject(trace.setSpanContext(ROOT_CONTEXT, sc), carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier;
}

/** The context a traceparent (and tracestate) names, or the root context for none or a malformed one. */
export function contextOf(traceparent: string | null, tracestate?: string | null): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  return W3C.extract(ROOT_CONTEXT, carrier, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
}

export class SagaTracing {
  /** The traceparent a new saga is stored with; its start span is ended at once (a saga outlives any process). */
  startContext(incoming: string | null, saga: { sagaId: string; definition: string; version: number }): string {
    const sc = this.span(`saga ${saga.definition} start`, SpanKind.INTERNAL, contextOf(incoming), {
      'saga.id': saga.sagaId,
      'saga.definition': saga.definition,
      'saga.version': saga.version,
    });
    return traceHeaders(sc).traceparent;
  }

  /** The headers of a message a saga sends: a command gets a span of its own, a lifecycle event the saga's context. */
  messageHeaders(traceContext: string | null, message: MessageContext): Record<string, string> {
    if (!traceContext) return {};
    const parent = contextOf(traceContext);
    if (message.kind !== 'command') return traceHeaders(trace.getSpanContext(parent) ?? invalidContext());
    const sc = this.span(`send ${message.step ?? ''} ${message.action ?? ''}`.trim(), SpanKind.PRODUCER, parent, {
      'saga.id': message.sagaId,
      'saga.step': message.step ?? '',
      'saga.action': message.action ?? '',
      'saga.attempt': message.attempt ?? 0,
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
    });
    return traceHeaders(sc);
  }

  /** Starts and ends a span; returns its context, with ids of our own when no SDK records it. */
  private span(name: string, kind: SpanKind, parent: Context, attributes: Record<string, string | number>): SpanContext {
    const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind, attributes }, parent);
    let sc = span.spanContext();
    span.end();
    if (!span.isRecording() && (!isSpanContextValid(sc) || sc.spanId === trace.getSpanContext(parent)?.spanId)) {
      const p = trace.getSpanContext(parent);
      sc = {
        traceId: p && isSpanContextValid(p) ? p.traceId : randomHex(16),
        spanId: randomHex(8),
        traceFlags: p && isSpanContextValid(p) ? p.traceFlags : TraceFlags.NONE,
        traceState: p?.traceState,
      };
    }
    return sc;
  }
}

function invalidContext(): SpanContext {
  return trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }).spanContext();
}

let registered: { forceFlush(): Promise<void> } | undefined;

/**
 * Registers a global tracer provider exporting over OTLP/HTTP when an endpoint is
 * configured (OTEL_EXPORTER_OTLP_ENDPOINT, validated in app-config.ts, or the standard
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, which the exporter reads itself); once per process. Without one it registers nothing.
 * The SDK and the exporter are loaded only then, so an untraced coordinator pays nothing.
 */
export function setUpTracing(endpoint: string | undefined, env: Record<string, string | undefined>): { forceFlush(): Promise<void> } | undefined {
  if (registered) return registered;
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!endpoint && !tracesEndpoint) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is configured, see above */
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'saga-coordinator' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(tracesEndpoint || !endpoint ? {} : { url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(W3C);
  trace.setGlobalTracerProvider(provider);
  registered = provider;
  return provider;
}
