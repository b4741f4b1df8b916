// One trace per saga across the coordinator and an SDK participant, over real Kafka and
// PostgreSQL: the REST start continues the caller's traceparent, every command is a span
// of the coordinator whose context travels in the Kafka headers, the participant's
// handler span is its child (the business transaction runs inside it), and the
// compensation lands in the same trace. The trace id is on the saga in the API.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import type { Pool } from 'pg';
import { Participant, failure, success } from '@saga-coordinator/participant';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, testPool, uniqueName, type TestDatabase } from '../../support/test-infra';
import { InProcessCoordinator, startInProcessCoordinator } from '../participant/support/coordinator';
import { LEDGER_TABLE_SQL, ledgerParticipant } from '../participant/support/ledger-participant';

const brokers = infraEnv().KAFKA_BROKERS.split(',');
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager().enable();

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('one OpenTelemetry trace per saga', () => {
  let c: InProcessCoordinator;
  let db: TestDatabase;
  let pool: Pool;
  let payments: Participant;
  let shipping: Participant;
  /** The active span's id inside the payments handler, where its business transaction runs. */
  const activeInHandler: string[] = [];

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    c = await startInProcessCoordinator();
    db = await createTestDatabase('trace_participants');
    pool = testPool(db.url, 2);
    await pool.query(LEDGER_TABLE_SQL);
    payments = ledgerParticipant({ kafka: { brokers }, topicPrefix: c.prefix, database: { url: db.url }, groupId: uniqueName('payments'), logger: 'silent' });
    const original = (payments as unknown as { registry: { find(a: string, t: string): { execute(i: unknown, ctx: unknown): Promise<unknown> } | undefined } }).registry.find('execute', 'credit.reserve')!;
    const execute = original.execute.bind(original);
    original.execute = async (input, ctx) => {
      activeInHandler.push(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
      return execute(input, ctx);
    };
    shipping = new Participant({ name: 'shipping', kafka: { brokers }, topicPrefix: c.prefix, logger: 'silent' }).handle<{ country: string }, null>({
      command: 'shipment.schedule',
      async execute(input) {
        return input.country === 'XX' ? failure('NO_CARRIER', 'no carrier') : success(null);
      },
    });
    await payments.start();
    await shipping.start();
  });

  afterAll(async () => {
    await shipping?.stop().catch(() => undefined);
    await payments?.stop().catch(() => undefined);
    await pool?.end();
    await db?.drop();
    await c?.close();
    trace.disable();
    context.disable();
  });

  it('links the start, the commands, the handlers and the compensation across coordinator and participant', async () => {
    const def: SagaDefinition = {
      name: uniqueName('traced').replace(/_/g, '-'),
      steps: [
        { name: 'reserveCredit', participant: 'payments', command: 'credit.reserve', compensation: 'credit.release', input: { account: '$.input.account', amount: '$.input.amount' }, timeoutMs: 5000 },
        { name: 'ship', participant: 'shipping', command: 'shipment.schedule', input: { country: '$.input.country' }, timeoutMs: 5000 },
      ],
    };
    await c.definitions.register(def);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const started = await request(c.app.getHttpServer())
      .post('/v1/sagas')
      .set('traceparent', `00-${traceId}-${callerSpan}-01`)
      .set('Idempotency-Key', uniqueName('trace'))
      .send({ definition: def.name, input: { account: 'a-1', amount: 30, country: 'XX' } })
      .expect(201);
    const sagaId = started.body.sagaId as string;
    expect(await waitForSagaStatus(c.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPENSATED');

    const view = await request(c.app.getHttpServer()).get(`/v1/sagas/${sagaId}`).expect(200);
    expect(view.body.traceId).toBe(traceId);

    const spans = await waitFor('the compensation handler span', async () => {
      const all = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return all.some((s) => s.name === 'credit.release compensate') ? all : undefined;
    });
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [start] = byName(`saga ${def.name} start`);
    expect(start).toBeDefined();
    expect(parentOf(start)).toBe(callerSpan);
    expect(start.attributes['saga.id']).toBe(sagaId);

    // Coordinator command span -> participant handler span, for the execute and for the compensation.
    for (const [sent, handled] of [
      ['send reserveCredit execute', 'credit.reserve execute'],
      ['send reserveCredit compensate', 'credit.release compensate'],
      ['send ship execute', 'shipment.schedule execute'],
    ]) {
      const [command] = byName(sent);
      const [handler] = byName(handled);
      expect([sent, command && parentOf(command)]).toEqual([sent, start.spanContext().spanId]);
      expect([handled, handler && parentOf(handler)]).toEqual([handled, command.spanContext().spanId]);
    }
    const [reserveHandler] = byName('credit.reserve execute');
    expect(reserveHandler.attributes['saga.outcome']).toBe('success');
    expect(byName('shipment.schedule execute')[0].attributes['saga.outcome']).toBe('failure');
    // The handler (and so its business transaction) ran inside its span.
    expect(activeInHandler).toContain(reserveHandler.spanContext().spanId);

    // Each reply carries its handler span's context back to the coordinator.
    const bus = new KafkaBus({ brokers, clientId: 'trace-test' });
    await bus.connect();
    const replyHeaders: { step: string; action: string; traceparent?: string }[] = [];
    const sub = await bus.subscribe({
      groupId: uniqueName('trace-replies'),
      topics: [topicNames(c.prefix).replies],
      fromBeginning: true,
      handleBatch: async (messages) => {
        for (const m of messages) {
          const reply = JSON.parse(m.value!.toString()) as { sagaId: string; step: string; action: string };
          if (reply.sagaId === sagaId) replyHeaders.push({ step: reply.step, action: reply.action, traceparent: m.headers.traceparent });
        }
      },
    });
    try {
      await waitFor('the three replies', async () => (replyHeaders.length >= 3 ? true : undefined));
    } finally {
      await sub.stop();
      await bus.disconnect();
    }
    const compensateHandler = byName('credit.release compensate')[0];
    expect(replyHeaders.find((r) => r.step === 'reserveCredit' && r.action === 'execute')?.traceparent).toBe(`00-${traceId}-${reserveHandler.spanContext().spanId}-01`);
    expect(replyHeaders.find((r) => r.step === 'reserveCredit' && r.action === 'compensate')?.traceparent).toBe(`00-${traceId}-${compensateHandler.spanContext().spanId}-01`);
  });
});
