// Operator actions on one saga — cancel, retry, resume, override — on sagas driven into
// the states each is for by scripted participants. Every action must be idempotent,
// recorded in the saga's history with who and why, and refused with 409 when the
// state does not allow it.
import { randomUUID } from 'node:crypto';
import type { CommandMessage } from '@saga-coordinator/participant/protocol';
import type { SagaDefinition, StepDefinition } from '../../../src/core/saga-definition';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, KEYS, orderDefinition, startApiTestApp, uniqueDefinitionName } from './support/api-test-app';

const ALICE = KEYS.operator.name;
const BOB = KEYS.admin.name;

interface HistoryRow {
  event_type: string;
  event: Record<string, unknown>;
  actor: string;
  status_before: string;
  status_after: string;
  /** The verdict as one text: null when applied, else `<verdict>: <code>: <reason>`. */
  ignored: string | null;
}

describe('operator actions on a saga', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments', 'stock', 'shipping']);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function register(def: SagaDefinition): Promise<SagaDefinition> {
    await api.as('admin').post('/v1/definitions', def).expect(201);
    return def;
  }

  async function start(def: SagaDefinition, input: object = {}): Promise<string> {
    return (await api.as('operator').post('/v1/sagas', { definition: def.name, input }).expect(201)).body.sagaId;
  }

  async function commandFor(sagaId: string, step: string, action: 'execute' | 'compensate' = 'execute'): Promise<CommandMessage> {
    return waitFor(`${action} of ${step}`, async () => api.h.participants.commandsOf(sagaId).find((c) => c.step === step && c.action === action));
  }

  async function reply(cmd: CommandMessage, outcome: 'success' | 'failure' | 'retry'): Promise<void> {
    await api.h.participants.sendRaw(JSON.stringify(api.h.participants.reply(cmd, { outcome })), cmd.sagaId);
  }

  /** The saga's history as the API shows it, for one event type. */
  async function operatorHistory(sagaId: string, type: string): Promise<HistoryRow[]> {
    const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
    return (body.history as { eventType: string; event: Record<string, unknown>; actor: string; statusBefore: string; statusAfter: string; verdict: string; code: string | null; reason: string | null }[])
      .filter((h) => h.eventType === type)
      .map((h) => ({
        event_type: h.eventType,
        event: h.event,
        actor: h.actor,
        status_before: h.statusBefore,
        status_after: h.statusAfter,
        ignored: h.verdict === 'applied' ? null : `${h.verdict}: ${h.code}: ${h.reason}`,
      }));
  }

  const compensations = (sagaId: string) => api.h.participants.commandsOf(sagaId).filter((c) => c.action === 'compensate').map((c) => `${c.step}#${c.attempt}`);

  describe('cancel', () => {
    it('compensates what was done, is a no-op when repeated, and records who and why', async () => {
      const def = await register(orderDefinition());
      api.h.participants.on(def.name, (cmd) => (cmd.step === 'charge' && cmd.action === 'execute' ? 'drop' : { outcome: 'success' }));
      const sagaId = await start(def);
      const charge = await commandFor(sagaId, 'charge');

      const first = await api.as('operator').post(`/v1/sagas/${sagaId}/cancel`, { reason: 'customer changed their mind' }).expect(200);
      expect(first.body).toMatchObject({ sagaId, operation: 'cancel', result: 'applied', detail: null, saga: { sagaId, status: 'COMPENSATING' } });
      const second = await api.as('operator').post(`/v1/sagas/${sagaId}/cancel`, { reason: 'pressed twice' }).expect(200);
      expect(second.body).toMatchObject({ result: 'no-op', detail: 'saga is already compensating', saga: { status: 'COMPENSATING' } });

      // The step in flight is awaited, then everything done is undone in reverse order.
      await reply(charge, 'success');
      expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPENSATED', 'COMPLETED', 'FAILED'])).toBe('COMPENSATED');
      expect(compensations(sagaId)).toEqual(['charge#1', 'createOrder#1']);
      expect(api.h.participants.commandsOf(sagaId).some((c) => c.step === 'reserve')).toBe(false);

      const third = await api.as('operator').post(`/v1/sagas/${sagaId}/cancel`, { reason: 'retry of the request' }).expect(200);
      expect(third.body).toMatchObject({ result: 'no-op', detail: 'the saga was cancelled and is COMPENSATED', saga: { status: 'COMPENSATED' } });

      const history = await operatorHistory(sagaId, 'CancelRequested');
      expect(history[0]).toEqual({
        event_type: 'CancelRequested',
        event: { type: 'CancelRequested', reason: 'customer changed their mind', by: ALICE },
        actor: `api-key:${ALICE}`,
        status_before: 'RUNNING',
        status_after: 'COMPENSATING',
        ignored: null,
      });
      expect(history.slice(1).map((h) => [h.event.reason, h.actor, h.ignored])).toEqual([
        ['pressed twice', `api-key:${ALICE}`, 'ignored: ALREADY_COMPENSATING: saga is already compensating'],
        ['retry of the request', `api-key:${ALICE}`, 'ignored: ALREADY_CANCELLED: the saga was cancelled and is COMPENSATED'],
      ]);
      const view = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      expect(view.body.compensationReason).toMatchObject({ cause: 'cancel-requested', by: ALICE, message: 'customer changed their mind' });
    });

    it('refuses to cancel a completed saga with 409 SAGA_FINISHED, and records the attempt', async () => {
      const def = await register(orderDefinition());
      const sagaId = await start(def);
      await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED']);
      const res = await api.as('operator').post(`/v1/sagas/${sagaId}/cancel`, { reason: 'too late' }).expect(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 409, code: 'SAGA_FINISHED', sagaId, detail: 'saga is already COMPLETED; a finished saga cannot be cancelled' });
      expect(compensations(sagaId)).toEqual([]);
      const history = await operatorHistory(sagaId, 'CancelRequested');
      expect(history.map((h) => [h.actor, h.ignored, h.status_after])).toEqual([[`api-key:${ALICE}`, 'rejected: SAGA_FINISHED: saga is already COMPLETED; a finished saga cannot be cancelled', 'COMPLETED']]);
    });

    it('refuses to cancel once the pivot has started with 409 SAGA_NOT_CANCELLABLE', async () => {
      const def = await register({
        name: uniqueDefinitionName('pivot'),
        steps: [
          { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel' },
          { name: 'charge', participant: 'payments', command: 'payment.capture', pivot: true },
          { name: 'ship', participant: 'shipping', command: 'shipment.create' },
        ],
      });
      api.h.participants.on(def.name, (cmd) => (cmd.step === 'charge' ? 'drop' : { outcome: 'success' }));
      const sagaId = await start(def);
      const charge = await commandFor(sagaId, 'charge');
      const res = await api.as('operator').post(`/v1/sagas/${sagaId}/cancel`, { reason: 'too late?' }).expect(409);
      expect(res.body).toMatchObject({ code: 'SAGA_NOT_CANCELLABLE', detail: "saga has started its pivot step 'charge' and can only finish forward" });
      const history = await operatorHistory(sagaId, 'CancelRequested');
      expect(history.map((h) => [h.actor, h.ignored])).toEqual([[`api-key:${ALICE}`, "rejected: SAGA_NOT_CANCELLABLE: saga has started its pivot step 'charge' and can only finish forward"]]);
      await reply(charge, 'success');
      expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    });

    it('is consistent with the saga racing to its own completion: applied and compensated, or 409 and completed', async () => {
      const def = await register(orderDefinition());
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) {
        const sagaId = await start(def, { i });
        await new Promise((r) => setTimeout(r, (i % 6) * 8));
        const res = await api.as('operator').post(`/v1/sagas/${sagaId}/cancel`, { reason: `race ${i}` });
        const final = await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED']);
        const history = await operatorHistory(sagaId, 'CancelRequested');
        if (res.status === 200) {
          expect({ i, body: res.body.result, final }).toEqual({ i, body: 'applied', final: 'COMPENSATED' });
          expect(history.map((h) => h.ignored)).toEqual([null]);
          // Every step that ran forward was compensated, in reverse order.
          const executed = api.h.participants.commandsOf(sagaId).filter((c) => c.action === 'execute').map((c) => c.step);
          await waitFor('compensations to be seen', async () => (compensations(sagaId).length === executed.length ? true : undefined));
          expect(compensations(sagaId)).toEqual(executed.reverse().map((s) => `${s}#1`));
        } else {
          expect({ i, status: res.status, code: res.body.code, final }).toEqual({ i, status: 409, code: 'SAGA_FINISHED', final: 'COMPLETED' });
          expect(history.map((h) => h.ignored)).toEqual(['rejected: SAGA_FINISHED: saga is already COMPLETED; a finished saga cannot be cancelled']);
          expect(compensations(sagaId)).toEqual([]);
        }
        outcomes.push(res.status === 200 ? 'cancelled' : 'completed first');
      }
      // Which side wins depends on timing; both must have been handled consistently above.
      expect(outcomes).toHaveLength(12);
    });

    it('validates: a reason is required and not blank, unknown fields are refused, the saga id must be a UUID and exist', async () => {
      const id = randomUUID();
      const missing = await api.as('operator').post(`/v1/sagas/${id}/cancel`, {}).expect(400);
      expect(missing.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'reason', message: 'reason must be a string' },
          { field: 'reason', message: 'reason must not be blank' },
        ]),
      );
      const blank = await api.as('operator').post(`/v1/sagas/${id}/cancel`, { reason: '   ' }).expect(400);
      expect(blank.body.errors).toEqual([{ field: 'reason', message: 'reason must not be blank' }]);
      const extra = await api.as('operator').post(`/v1/sagas/${id}/cancel`, { reason: 'x', force: true }).expect(400);
      expect(extra.body.errors).toEqual([{ field: 'force', message: 'property force should not exist' }]);
      const badId = await api.as('operator').post('/v1/sagas/not-a-uuid/cancel', { reason: 'x' }).expect(400);
      expect(badId.body.errors).toEqual([{ field: 'sagaId', message: 'sagaId must be a UUID' }]);
      const unknown = await api.as('operator').post(`/v1/sagas/${id}/cancel`, { reason: 'x' }).expect(404);
      expect(unknown.body).toMatchObject({ code: 'SAGA_NOT_FOUND', sagaId: id });
    });
  });

  describe('retry', () => {
    const slowBackoff: Partial<StepDefinition> = { retry: { maxAttempts: 3, initialBackoffMs: 600_000, maxBackoffMs: 600_000, multiplier: 1, jitter: 0 } };

    it('sends a step waiting out a long backoff again at once, and records who and why', async () => {
      const def = orderDefinition();
      def.steps[1] = { ...def.steps[1], ...slowBackoff };
      await register(def);
      api.h.participants.on(def.name, (cmd) => (cmd.step === 'charge' && cmd.attempt === 1 ? { outcome: 'retry', error: { message: 'provider down' } } : { outcome: 'success' }));
      const sagaId = await start(def);
      await waitFor('charge to back off', async () => {
        const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`);
        return body.steps[1].status === 'RETRY_WAIT' ? true : undefined;
      });

      const wrongStep = await api.as('operator').post(`/v1/sagas/${sagaId}/retry`, { step: 'reserve', reason: 'wrong step' }).expect(409);
      // The step was sent in the body: the answer does not repeat it.
      expect(wrongStep.body).toMatchObject({ code: 'STEP_NOT_RETRYABLE', sagaId });
      expect(wrongStep.body.step).toBeUndefined();
      const unknown = await api.as('operator').post(`/v1/sagas/${sagaId}/retry`, { step: 'nope', reason: 'typo' }).expect(404);
      expect(unknown.body).toMatchObject({ code: 'UNKNOWN_STEP', detail: "saga has no step '…'" }); // the step was sent in the body: not echoed

      const res = await api.as('operator').post(`/v1/sagas/${sagaId}/retry`, { step: 'charge', reason: 'provider is back' }).expect(200);
      expect(res.body).toMatchObject({ operation: 'retry', result: 'applied', saga: { status: 'RUNNING' } });
      expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'], 10_000)).toBe('COMPLETED');
      const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      expect(body.steps[1].attempts.map((a: { attempt: number; status: string }) => [a.attempt, a.status])).toEqual([
        [1, 'RETRY_REQUESTED'],
        [2, 'SUCCEEDED'],
      ]);
      const history = await operatorHistory(sagaId, 'RetryRequested');
      expect(history.map((h) => [h.event, h.actor, h.ignored])).toEqual([
        [{ type: 'RetryRequested', step: 'reserve', by: ALICE, reason: 'wrong step' }, `api-key:${ALICE}`, expect.stringMatching(/^rejected: STEP_NOT_RETRYABLE/)],
        [{ type: 'RetryRequested', step: 'nope', by: ALICE, reason: 'typo' }, `api-key:${ALICE}`, expect.stringMatching(/^rejected: UNKNOWN_STEP/)],
        [{ type: 'RetryRequested', step: 'charge', by: ALICE, reason: 'provider is back' }, `api-key:${ALICE}`, null],
      ]);
      // Repeating it after the saga finished changes nothing.
      expect((await api.as('operator').post(`/v1/sagas/${sagaId}/retry`, { step: 'charge', reason: 'again' }).expect(409)).body.code).toBe('SAGA_FINISHED');
      expect(api.h.participants.commandsOf(sagaId).filter((c) => c.step === 'charge').map((c) => c.attempt)).toEqual([1, 2]);
    });

    it('refuses with 409 NOTHING_TO_RETRY when no step waits for a backoff or an operator', async () => {
      const def = await register(orderDefinition());
      api.h.participants.on(def.name, (cmd) => (cmd.step === 'createOrder' ? 'drop' : { outcome: 'success' }));
      const sagaId = await start(def);
      const cmd = await commandFor(sagaId, 'createOrder');
      const res = await api.as('operator').post(`/v1/sagas/${sagaId}/retry`, { reason: 'just in case' }).expect(409);
      expect(res.body).toMatchObject({ code: 'NOTHING_TO_RETRY', detail: 'no step is waiting for a backoff or for an operator' });
      await reply(cmd, 'success');
      await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED']);
    });
  });

  describe('a stuck compensation (saga FAILED, needs an operator)', () => {
    const repaired = new Set<string>();
    let def: SagaDefinition;

    beforeAll(async () => {
      def = await register(orderDefinition(undefined, { maxCompensationAttempts: 1 }));
      // reserve fails for business reasons; undoing createOrder fails until the test repairs that saga.
      api.h.participants.on(def.name, (cmd) => {
        if (cmd.step === 'reserve' && cmd.action === 'execute') return { outcome: 'failure', error: { code: 'OUT_OF_STOCK', message: 'out of stock' } };
        if (cmd.step === 'createOrder' && cmd.action === 'compensate' && !repaired.has(cmd.sagaId)) return { outcome: 'retry', error: { message: 'orders db read-only' } };
        return { outcome: 'success' };
      });
    });

    async function failedSaga(): Promise<string> {
      const sagaId = await start(def);
      expect(await waitForSagaStatus(api.h.pool, sagaId, ['FAILED', 'COMPENSATED', 'COMPLETED'])).toBe('FAILED');
      return sagaId;
    }

    it('is shown as needing an operator', async () => {
      const sagaId = await failedSaga();
      const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      expect(body).toMatchObject({ status: 'FAILED', escalation: { from: 'COMPENSATING', steps: ['createOrder'] }, currentStep: 'createOrder', currentSteps: ['createOrder'] });
      expect(body.steps[0]).toMatchObject({
        status: 'COMPENSATION_FAILED',
        compensationAttempt: 1,
        needsAttention: { reason: 'COMPENSATION_ATTEMPTS_EXHAUSTED' },
        lastError: { action: 'compensate', attempt: 1, message: 'orders db read-only' },
      });
    });

    it('retry runs the compensation again now, and the saga ends COMPENSATED', async () => {
      const sagaId = await failedSaga();
      repaired.add(sagaId);
      const res = await api.as('operator').post(`/v1/sagas/${sagaId}/retry`, { reason: 'orders db is writable again' }).expect(200);
      expect(res.body).toMatchObject({ result: 'applied', saga: { status: 'COMPENSATING' } });
      expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPENSATED', 'FAILED'], 10_000)).toBe('COMPENSATED');
      expect(compensations(sagaId)).toEqual(['charge#1', 'createOrder#1', 'createOrder#2']);
      const [entry] = await operatorHistory(sagaId, 'RetryRequested');
      expect(entry).toMatchObject({ actor: `api-key:${ALICE}`, status_before: 'FAILED', status_after: 'COMPENSATING', ignored: null, event: { by: ALICE, reason: 'orders db is writable again' } });
    });

    it('resume re-attempts every step waiting for an operator; resuming again is refused with 409 SAGA_NOT_FAILED', async () => {
      const sagaId = await failedSaga();
      repaired.add(sagaId);
      const res = await api.as('operator').post(`/v1/sagas/${sagaId}/resume`, { reason: 'incident INC-42 resolved' }).expect(200);
      expect(res.body).toMatchObject({ operation: 'resume', result: 'applied' });
      expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPENSATED', 'FAILED'], 10_000)).toBe('COMPENSATED');
      const again = await api.as('operator').post(`/v1/sagas/${sagaId}/resume`, { reason: 'double click' }).expect(409);
      expect(again.body).toMatchObject({ code: 'SAGA_NOT_FAILED', detail: 'saga is COMPENSATED; only a FAILED saga can be resumed' });
      const history = await operatorHistory(sagaId, 'ResumeRequested');
      expect(history.map((h) => [h.event, h.actor, h.ignored])).toEqual([
        [{ type: 'ResumeRequested', by: ALICE, reason: 'incident INC-42 resolved' }, `api-key:${ALICE}`, null],
        [{ type: 'ResumeRequested', by: ALICE, reason: 'double click' }, `api-key:${ALICE}`, expect.stringMatching(/^rejected: SAGA_NOT_FAILED/)],
      ]);
    });

    it('an admin override marks the stuck compensation done by hand, with a mandatory reason', async () => {
      const sagaId = await failedSaga();
      const noReason = await api.as('admin').post(`/v1/sagas/${sagaId}/steps/createOrder/override`, { as: 'compensated' }).expect(400);
      expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason', 'reason', 'reason']);
      const withOutput = await api.as('admin').post(`/v1/sagas/${sagaId}/steps/createOrder/override`, { as: 'compensated', output: {}, reason: 'x' }).expect(400);
      expect(withOutput.body.errors).toEqual([{ field: 'output', message: 'output is only allowed with as=succeeded' }]);
      const badAs = await api.as('admin').post(`/v1/sagas/${sagaId}/steps/createOrder/override`, { as: 'done', reason: 'x' }).expect(400);
      expect(badAs.body.errors).toEqual([{ field: 'as', message: 'as must be one of the following values: succeeded, compensated' }]);
      const notStuck = await api.as('admin').post(`/v1/sagas/${sagaId}/steps/reserve/override`, { as: 'succeeded', reason: 'x' }).expect(409);
      expect(notStuck.body).toMatchObject({ code: 'STEP_NOT_OVERRIDABLE', step: 'reserve' });

      const res = await api.as('admin').post(`/v1/sagas/${sagaId}/steps/createOrder/override`, { as: 'compensated', reason: 'order deleted by hand, ticket OPS-7' }).expect(200);
      expect(res.body).toMatchObject({ operation: 'override', result: 'applied', saga: { status: 'COMPENSATED' } });
      const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      expect(body.steps[0]).toMatchObject({ status: 'COMPENSATED', override: { as: 'compensated', by: BOB, reason: 'order deleted by hand, ticket OPS-7', at: expect.any(String) } });
      expect(compensations(sagaId)).toEqual(['charge#1', 'createOrder#1']);
      const history = await operatorHistory(sagaId, 'StepOverridden');
      expect(history.map((h) => [h.actor, h.ignored, h.status_after])).toEqual([
        [`api-key:${BOB}`, expect.stringMatching(/^rejected: STEP_NOT_OVERRIDABLE/), 'FAILED'],
        [`api-key:${BOB}`, null, 'COMPENSATED'],
      ]);
      expect((await api.as('admin').post(`/v1/sagas/${sagaId}/steps/createOrder/override`, { as: 'compensated', reason: 'again' }).expect(409)).body.code).toBe('SAGA_FINISHED');
    });
  });

  it('an admin override marks a step that failed after the pivot as succeeded, with its output, and the saga completes', async () => {
    const def = await register({
      name: uniqueDefinitionName('ship'),
      steps: [
        { name: 'charge', participant: 'payments', command: 'payment.capture', pivot: true },
        { name: 'ship', participant: 'shipping', command: 'shipment.create' },
        { name: 'notify', participant: 'orders', command: 'order.notify', input: { tracking: '$.steps.ship.output.trackingId' } },
      ],
    });
    api.h.participants.on(def.name, (cmd) => (cmd.step === 'ship' ? { outcome: 'failure', error: { message: 'carrier rejected the label' } } : { outcome: 'success' }));
    const sagaId = await start(def);
    expect(await waitForSagaStatus(api.h.pool, sagaId, ['FAILED', 'COMPLETED', 'COMPENSATED'])).toBe('FAILED');
    const res = await api
      .as('admin')
      .post(`/v1/sagas/${sagaId}/steps/ship/override`, { as: 'succeeded', output: { trackingId: 'T-1' }, reason: 'shipped by hand with another carrier' })
      .expect(200);
    expect(res.body.result).toBe('applied');
    expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED', 'FAILED'], 10_000)).toBe('COMPLETED');
    const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
    expect(body.steps[1]).toMatchObject({ status: 'SUCCEEDED', output: { trackingId: 'T-1' }, override: { as: 'succeeded', by: BOB, reason: 'shipped by hand with another carrier' } });
    // Later steps see the output the operator gave.
    expect((await commandFor(sagaId, 'notify')).payload).toEqual({ tracking: 'T-1' });
  });
});
