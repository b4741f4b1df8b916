// The dashboard's pure view models: which actions a key and a saga allow, the needs-attention
// grouping, the list filter in the address, history lines, and how times are written.
import fc from 'fast-check';
import { SAGA_STATUSES } from '../../../packages/dashboard/src/api/types';
import { absoluteTime, duration, fromLocalInput, relativeTime, toLocalInput } from '../../../packages/dashboard/src/format/time';
import { attentionItem, groupByReason } from '../../../packages/dashboard/src/model/attention';
import { describeEvent } from '../../../packages/dashboard/src/model/history-event';
import { availableActions, overridableSteps, retryableSteps } from '../../../packages/dashboard/src/model/saga-actions';
import { filterFromParams, filterToParams, needsOperatorOnly } from '../../../packages/dashboard/src/model/saga-filter';
import { at, saga, step, T0 } from './fixtures';

describe('dashboard: operator actions offered', () => {
  const running = saga({ status: 'RUNNING', steps: [step('a', { status: 'SUCCEEDED' }), step('b', { status: 'RUNNING' }), step('ship', { phase: 'pivot' })] });

  it('offers cancel on a running saga to operators and admins, and nothing to viewers', () => {
    expect(availableActions(running, 'viewer')).toEqual([]);
    expect(availableActions(running, 'operator')).toEqual(['cancel']);
    expect(availableActions(running, 'admin')).toEqual(['cancel']);
  });

  it('offers no cancel once the pivot started, and nothing at all on a finished saga', () => {
    const pastPivot = saga({ status: 'RUNNING', steps: [step('a', { status: 'SUCCEEDED' }), step('ship', { phase: 'pivot', status: 'RUNNING' })] });
    expect(availableActions(pastPivot, 'admin')).toEqual([]);
    for (const status of ['COMPLETED', 'COMPENSATED'] as const) expect(availableActions({ ...running, status }, 'admin')).toEqual([]);
  });

  it('offers retry, resume and (to admins) override on a saga stuck in compensation, but no second cancel', () => {
    const stuck = saga({
      status: 'FAILED',
      escalation: { from: 'COMPENSATING', steps: ['a'], at: at(10) },
      steps: [step('a', { status: 'COMPENSATION_FAILED', needsAttention: { reason: 'COMPENSATION_ATTEMPTS_EXHAUSTED', message: 'm', at: at(10) } }), step('b', { status: 'FAILED' })],
    });
    expect(availableActions(stuck, 'operator')).toEqual(['retry', 'resume']);
    expect(availableActions(stuck, 'admin')).toEqual(['retry', 'resume', 'override']);
    expect(retryableSteps(stuck).map((s) => s.name)).toEqual(['a']);
    expect(overridableSteps(stuck).map((o) => [o.step.name, o.as])).toEqual([['a', ['compensated']]]);
  });

  it('lets a pivot with an unknown outcome be declared either way, and a failed forward step succeeded', () => {
    const s = saga({
      status: 'FAILED',
      escalation: { from: 'RUNNING', steps: ['ship', 'notify'], at: at(1) },
      steps: [
        step('ship', { phase: 'pivot', status: 'FAILED', needsAttention: { reason: 'PIVOT_OUTCOME_UNKNOWN', message: 'm', at: at(1) } }),
        step('notify', { phase: 'retriable', status: 'FAILED', needsAttention: { reason: 'STEP_FAILED_AFTER_PIVOT', message: 'm', at: at(1) } }),
      ],
    });
    expect(overridableSteps(s).map((o) => [o.step.name, o.as])).toEqual([
      ['ship', ['succeeded', 'compensated']],
      ['notify', ['succeeded']],
    ]);
  });
});

describe('dashboard: needs attention', () => {
  const failed = (id: string, reasons: [string, string][], definition = 'order') =>
    attentionItem(
      saga({
        sagaId: id,
        status: 'FAILED',
        definition: { name: definition, version: 1 },
        steps: reasons.map(([name, reason]) => step(name, { needsAttention: { reason, message: `${reason} in ${name}`, at: at(5) } })),
      }),
    );

  it('groups FAILED sagas by their waiting reasons, the largest group first', () => {
    const groups = groupByReason([
      failed('s1', [['pay', 'COMPENSATION_ATTEMPTS_EXHAUSTED']]),
      failed('s2', [['ship', 'PIVOT_OUTCOME_UNKNOWN']], 'shipment'),
      failed('s3', [['pay', 'COMPENSATION_ATTEMPTS_EXHAUSTED']], 'refund'),
      failed('s4', [['a', 'COMPENSATION_ATTEMPTS_EXHAUSTED'], ['b', 'FORWARD_ATTEMPTS_EXHAUSTED']]),
    ]);
    expect(groups.map((g) => [g.reason, g.items.map((i) => i.sagaId), g.definitions])).toEqual([
      ['COMPENSATION_ATTEMPTS_EXHAUSTED', ['s1', 's3'], ['order', 'refund']],
      ['COMPENSATION_ATTEMPTS_EXHAUSTED + FORWARD_ATTEMPTS_EXHAUSTED', ['s4'], ['order']],
      ['PIVOT_OUTCOME_UNKNOWN', ['s2'], ['shipment']],
    ]);
    expect(groups[0].messages).toEqual([{ message: 'COMPENSATION_ATTEMPTS_EXHAUSTED in pay', count: 2 }]);
  });

  it('puts every saga in exactly one group', () => {
    const reason = fc.constantFrom('COMPENSATION_ATTEMPTS_EXHAUSTED', 'FORWARD_ATTEMPTS_EXHAUSTED', 'PIVOT_OUTCOME_UNKNOWN', 'STEP_FAILED_AFTER_PIVOT');
    fc.assert(
      fc.property(fc.array(fc.array(reason, { maxLength: 3 }), { maxLength: 20 }), (sagas) => {
        const items = sagas.map((rs, i) => failed(`s${i}`, rs.map((r, j) => [`step${j}`, r] as [string, string])));
        const grouped = groupByReason(items).flatMap((g) => g.items.map((i) => i.sagaId));
        expect(grouped.sort()).toEqual(items.map((i) => i.sagaId).sort());
      }),
    );
  });
});

describe('dashboard: the sagas filter in the address', () => {
  it('reads statuses, definition, business key and time range, ignoring unknown statuses', () => {
    const f = filterFromParams(new URLSearchParams('status=failed,RUNNING,bogus&definition=order&businessKey=%20order-1%20&createdFrom=2026-05-01T00:00:00.000Z'));
    expect(f).toEqual({ statuses: ['FAILED', 'RUNNING'], definition: 'order', businessKey: 'order-1', createdFrom: '2026-05-01T00:00:00.000Z', createdTo: undefined });
    expect(needsOperatorOnly(f)).toBe(false);
    expect(needsOperatorOnly(filterFromParams(new URLSearchParams('status=FAILED')))).toBe(true);
  });

  it('writes a filter that reads back the same', () => {
    const text = fc.option(fc.string({ minLength: 1 }).filter((s) => s.trim() === s && s !== ''), { nil: undefined });
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...SAGA_STATUSES)), text, text, (statuses, definition, businessKey) => {
        const f = { statuses, definition, businessKey, createdFrom: undefined, createdTo: undefined };
        expect(filterFromParams(new URLSearchParams(filterToParams(f).toString()))).toEqual(f);
      }),
    );
  });
});

describe('dashboard: history lines', () => {
  it('says in one line what each event was', () => {
    expect(describeEvent({ type: 'StepReplied', step: 'charge', action: 'execute', attempt: 1, outcome: 'failure', error: { code: 'CARD_DECLINED', message: 'declined' } })).toBe('charge execute #1: failure (CARD_DECLINED: declined)');
    expect(describeEvent({ type: 'AttemptTimedOut', step: 'charge', action: 'execute', attempt: 2 })).toBe('charge execute #2: no reply before its deadline');
    expect(describeEvent({ type: 'CancelRequested', reason: 'customer called', by: 'ops' })).toBe('cancel: customer called');
    expect(describeEvent({ type: 'RetryRequested', by: 'ops' })).toBe('retry every waiting step');
    expect(describeEvent({ type: 'StepOverridden', step: 'ship', as: 'succeeded', reason: 'by hand', by: 'bob' })).toBe('ship overridden as succeeded: by hand');
    expect(describeEvent({ type: 'SomethingNew' })).toBe('');
  });
});

describe('dashboard: times', () => {
  it('writes absolute local times that sort as text, and relative times both ways', () => {
    expect(absoluteTime(new Date(2026, 4, 1, 14, 3, 7, 45).toISOString())).toBe('2026-05-01 14:03:07');
    expect(absoluteTime(new Date(2026, 4, 1, 14, 3, 7, 45).toISOString(), true)).toBe('2026-05-01 14:03:07.045');
    expect(relativeTime(at(0), T0 + 400)).toBe('just now');
    expect(relativeTime(at(0), T0 + 42_000)).toBe('42 s ago');
    expect(relativeTime(at(0), T0 + 5 * 60_000)).toBe('5 min ago');
    expect(relativeTime(at(0), T0 + 3 * 3_600_000)).toBe('3 h ago');
    expect(relativeTime(at(0), T0 + 3 * 86_400_000)).toBe('3 d ago');
    expect(relativeTime(at(20_000), T0)).toBe('in 20 s');
  });

  it('writes durations in the unit a person would use', () => {
    expect([85, 4_200, 42_000, 190_000, 7_500_000].map(duration)).toEqual(['85 ms', '4.2 s', '42 s', '3 min 10 s', '2 h 5 min']);
  });

  it('converts datetime-local inputs to instants and back to the minute', () => {
    const iso = fromLocalInput('2026-05-01T14:03')!;
    expect(toLocalInput(iso)).toBe('2026-05-01T14:03');
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('nonsense')).toBeUndefined();
  });
});
