// Without any OpenTelemetry SDK registered, a saga still gets a trace id of its own (or
// its caller's) and every command a span id of its own under it, unsampled unless the
// caller sampled: participants' spans join one trace and the API can show it.
import { SagaTracing } from '../../../src/observability/saga-tracing';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const saga = { sagaId: 's-1', definition: 'order', version: 1 };

describe('SagaTracing without an SDK', () => {
  const tracing = new SagaTracing();

  it('opens a new unsampled trace for a saga started without a traceparent', () => {
    const [, traceId, , flags] = TRACEPARENT.exec(tracing.startContext(null, saga))!;
    expect(traceId).not.toBe('0'.repeat(32));
    expect(flags).toBe('00');
    expect(TRACEPARENT.exec(tracing.startContext(null, saga))![1]).not.toBe(traceId);
  });

  it("continues the caller's trace and flags, and ignores a malformed traceparent", () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const [, traceId, spanId, flags] = TRACEPARENT.exec(tracing.startContext(incoming, saga))!;
    expect([traceId, flags]).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736', '01']);
    expect(spanId).not.toBe('00f067aa0ba902b7');
    expect(TRACEPARENT.exec(tracing.startContext('00-nonsense', saga))![1]).not.toBe('0'.repeat(32));
  });

  it('gives each command a span of its own in the saga trace, and lifecycle events the saga context', () => {
    const sagaContext = tracing.startContext(null, saga);
    const [, traceId, sagaSpan] = TRACEPARENT.exec(sagaContext)!;
    const a = tracing.messageHeaders(sagaContext, { kind: 'command', sagaId: 's-1', step: 'charge', action: 'execute', attempt: 1 });
    const b = tracing.messageHeaders(sagaContext, { kind: 'command', sagaId: 's-1', step: 'charge', action: 'execute', attempt: 2 });
    const [, ta, sa] = TRACEPARENT.exec(a.traceparent)!;
    const [, tb, sb] = TRACEPARENT.exec(b.traceparent)!;
    expect([ta, tb]).toEqual([traceId, traceId]);
    expect(new Set([sagaSpan, sa, sb]).size).toBe(3);
    expect(tracing.messageHeaders(sagaContext, { kind: 'lifecycle-event', sagaId: 's-1' })).toEqual({ traceparent: sagaContext });
    expect(tracing.messageHeaders(null, { kind: 'command', sagaId: 's-1' })).toEqual({});
  });
});

describe('setUpTracing', () => {
  afterAll(async () => {
    const { trace, context, propagation } = await import('@opentelemetry/api');
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('registers nothing without an endpoint, and an exporting provider with one (once per process)', async () => {
    const { setUpTracing } = await import('../../../src/observability/saga-tracing');
    expect(setUpTracing(undefined, {})).toBeUndefined();
    const provider = setUpTracing('http://127.0.0.1:4318', {});
    expect(provider).toBeDefined();
    expect(setUpTracing('http://127.0.0.1:4318', {})).toBe(provider);
    // Now spans are recorded (sampled): the saga's traceparent says so.
    expect(new SagaTracing().startContext(null, saga)).toMatch(/-01$/);
  });
});
