import fc from 'fast-check';
import {
  admitStarts,
  concurrencyKeyOf,
  createSagaState,
  decide,
  holdsConcurrencyKey,
  nextToAdmit,
  normalizeDefinition,
  validateDefinition,
} from '../../../src/core';
import { START_TIME, step } from './support/saga-scenario';

describe('concurrency keys', () => {
  it('resolve from the input: a string as it is, other values as canonical JSON, missing as no key', () => {
    expect(concurrencyKeyOf('$.input.accountId', { accountId: 'acc-1' })).toBe('acc-1');
    expect(concurrencyKeyOf('$.input.account', { account: { id: 7, bank: 'x' } })).toBe('{"bank":"x","id":7}');
    expect(concurrencyKeyOf('$.input.accountId', {})).toBeNull();
    expect(concurrencyKeyOf('customer-9', {})).toBe('customer-9');
    expect(concurrencyKeyOf(null, { accountId: 'a' })).toBeNull();
  });

  it('are checked at registration: only $.input references', () => {
    const doc = (concurrencyKey: unknown) => ({ name: 'x', concurrencyKey, steps: [step('a')] });
    expect(validateDefinition(doc('$.input.accountId')).ok).toBe(true);
    expect(validateDefinition(doc('$.steps.a.output.id'))).toEqual({ ok: false, problems: [{ path: 'concurrencyKey', message: 'a concurrency key is known when the saga is accepted: it can only refer to $.input' }] });
    expect(validateDefinition(doc('fixed'))).toMatchObject({ ok: false, problems: [{ path: 'concurrencyKey' }] });
    expect(validateDefinition(doc(3))).toMatchObject({ ok: false, problems: [{ path: 'concurrencyKey', message: 'must be a non-empty string: a $.input… reference' }] });
    expect(normalizeDefinition(doc('$.input.accountId')).concurrencyKey).toBe('$.input.accountId');
  });

  it('admit the first start of a free key and queue the rest, in acceptance order', () => {
    expect(admitStarts(['a', null, 'a', 'b', 'c', null], new Set(['c']))).toEqual([true, true, false, true, false, true]);
  });

  it('admit the oldest queued saga once the one before it has ended, and none while it runs or waits for an operator', () => {
    expect(nextToAdmit([{ id: 1, status: 'QUEUED' }, { id: 2, status: 'QUEUED' }])).toEqual({ id: 1, status: 'QUEUED' });
    expect(nextToAdmit([{ id: 1, status: 'RUNNING' }, { id: 2, status: 'QUEUED' }])).toBeNull();
    expect(nextToAdmit([{ id: 1, status: 'FAILED' }, { id: 2, status: 'QUEUED' }])).toBeNull();
    expect(nextToAdmit([])).toBeNull();
    expect(['QUEUED', 'RUNNING', 'COMPENSATING', 'FAILED'].every(holdsConcurrencyKey)).toBe(true);
    expect(['COMPLETED', 'COMPENSATED'].some(holdsConcurrencyKey)).toBe(false);
  });

  /**
   * A model of the adapters: random batches of starts, ends of running sagas and cancels of
   * queued ones, over a few keys, with admission after every change as the engine does it.
   */
  it("never runs two sagas with one key, and runs each key's sagas in acceptance order (property)", () => {
    type Saga = { id: number; key: string | null; status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'COMPENSATED' };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), keys: fc.array(fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null }), { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const sagas: Saga[] = [];
        const startedOrder: number[] = [];
        const open = (key: string) => sagas.filter((s) => s.key === key && holdsConcurrencyKey(s.status));
        const admitAll = () => {
          for (const key of ['a', 'b', 'c']) {
            const next = nextToAdmit(open(key));
            if (next) {
              next.status = 'RUNNING';
              startedOrder.push(next.id);
            }
          }
        };
        for (const o of ops) {
          if (o.kind === 'start') {
            const busy = new Set(['a', 'b', 'c'].filter((k) => open(k).length > 0));
            const runNow = admitStarts(o.keys, busy);
            o.keys.forEach((key, i) => {
              const s: Saga = { id: sagas.length, key, status: runNow[i] ? 'RUNNING' : 'QUEUED' };
              sagas.push(s);
              if (runNow[i]) startedOrder.push(s.id);
            });
          } else {
            const candidates = sagas.filter((s) => s.status === (o.kind === 'end' ? 'RUNNING' : 'QUEUED'));
            if (candidates.length === 0) continue;
            candidates[o.pick % candidates.length].status = o.kind === 'end' ? 'COMPLETED' : 'COMPENSATED';
            admitAll();
          }
          for (const key of ['a', 'b', 'c']) expect(sagas.filter((s) => s.key === key && s.status === 'RUNNING').length).toBeLessThanOrEqual(1);
          // Nothing waits for a key nobody holds.
          for (const key of ['a', 'b', 'c']) if (open(key).length > 0) expect(open(key)[0].status).toBe('RUNNING');
        }
        for (const key of ['a', 'b', 'c']) {
          const ids = startedOrder.filter((id) => sagas[id].key === key);
          expect(ids).toEqual([...ids].sort((x, y) => x - y));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('a QUEUED saga', () => {
  const def = normalizeDefinition({ name: 'transfer', concurrencyKey: '$.input.account', steps: [step('debit'), step('credit')] });
  const ctx = { now: START_TIME, random: () => 0 };
  const queued = createSagaState({ sagaId: 'q', definition: def, definitionVersion: 1, input: { account: 'a' }, now: START_TIME, queued: true });

  it('starts when admitted: RUNNING with its first command, like any start', () => {
    const d = decide(queued, def, { type: 'SagaStarted' }, ctx);
    expect(queued.status).toBe('QUEUED');
    expect(d.state.status).toBe('RUNNING');
    expect(d.effects).toContainEqual(expect.objectContaining({ type: 'SendCommand', step: 'debit', attempt: 1 }));
  });

  it('is cancelled without sending anything: COMPENSATED with the reason, every step SKIPPED', () => {
    const d = decide(queued, def, { type: 'CancelRequested', reason: 'changed my mind', by: 'api:ann' }, ctx);
    expect(d.state.status).toBe('COMPENSATED');
    expect(d.state.compensationReason).toMatchObject({ cause: 'cancel-requested', by: 'api:ann', message: 'changed my mind' });
    expect(Object.values(d.state.steps).map((s) => s.status)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(d.effects.filter((e) => e.type === 'SendCommand')).toEqual([]);
    expect(d.effects[d.effects.length - 1]).toEqual({ type: 'FinishSaga', status: 'COMPENSATED' });
  });

  it('refuses operator actions and ignores anything else, changing nothing', () => {
    expect(decide(queued, def, { type: 'RetryRequested', by: 'op' }, ctx).verdict).toMatchObject({ kind: 'rejected', code: 'SAGA_QUEUED' });
    expect(decide(queued, def, { type: 'ResumeRequested', by: 'op' }, ctx).verdict).toMatchObject({ kind: 'rejected', code: 'SAGA_QUEUED' });
    const reply = decide(queued, def, { type: 'StepReplied', step: 'debit', action: 'execute', attempt: 1, outcome: 'success' }, ctx);
    expect(reply.verdict).toMatchObject({ kind: 'ignored', code: 'SAGA_QUEUED' });
    expect(reply.state).toBe(queued);
    expect(decide(queued, def, { type: 'DeadlineReached' }, ctx).verdict).toMatchObject({ kind: 'ignored', code: 'SAGA_QUEUED' });
  });
});
