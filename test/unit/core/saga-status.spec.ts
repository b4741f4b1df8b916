import {
  assertSagaTransition,
  assertStepTransition,
  IllegalTransitionError,
  isTerminalSagaStatus,
  SAGA_STATUSES,
  SAGA_TRANSITIONS,
  STEP_STATUSES,
  STEP_TRANSITIONS,
  type SagaStatus,
  type StepStatus,
} from '../../../src/core';

describe('saga status transitions', () => {
  const allowed: [SagaStatus, SagaStatus][] = [
    ['QUEUED', 'RUNNING'],
    ['QUEUED', 'COMPENSATING'],
    ['RUNNING', 'COMPENSATING'],
    ['RUNNING', 'COMPLETED'],
    ['RUNNING', 'FAILED'],
    ['COMPENSATING', 'COMPENSATED'],
    ['COMPENSATING', 'FAILED'],
    ['FAILED', 'RUNNING'],
    ['FAILED', 'COMPENSATING'],
  ];

  it('allows exactly the transitions of the table', () => {
    const table = SAGA_STATUSES.flatMap((from) => SAGA_TRANSITIONS[from].map((to) => [from, to]));
    expect(table.sort()).toEqual([...allowed].sort());
  });

  it.each(SAGA_STATUSES.flatMap((from) => SAGA_STATUSES.map((to) => [from, to] as [SagaStatus, SagaStatus])))(
    '%s -> %s is allowed only if listed',
    (from, to) => {
      const listed = allowed.some(([f, t]) => f === from && t === to);
      if (listed) expect(() => assertSagaTransition(from, to, 's-1')).not.toThrow();
      else expect(() => assertSagaTransition(from, to, 's-1')).toThrow(IllegalTransitionError);
    },
  );

  it('reports from, to and the saga on an illegal transition', () => {
    try {
      assertSagaTransition('COMPLETED', 'RUNNING', 's-1');
      throw new Error('did not throw');
    } catch (error) {
      expect(error).toBeInstanceOf(IllegalTransitionError);
      expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', entity: 'saga', from: 'COMPLETED', to: 'RUNNING', sagaId: 's-1', retriable: false });
    }
  });

  it('treats a status read back from storage that it does not know as illegal', () => {
    expect(() => assertSagaTransition('PAUSED' as SagaStatus, 'RUNNING', 's-1')).toThrow(IllegalTransitionError);
    expect(() => assertSagaTransition('toString' as SagaStatus, 'RUNNING', 's-1')).toThrow(IllegalTransitionError);
  });

  it('has exactly two terminal statuses, with no way out', () => {
    expect(SAGA_STATUSES.filter(isTerminalSagaStatus)).toEqual(['COMPLETED', 'COMPENSATED']);
    for (const status of SAGA_STATUSES.filter(isTerminalSagaStatus)) expect(SAGA_TRANSITIONS[status]).toEqual([]);
    expect(SAGA_TRANSITIONS.FAILED.length).toBeGreaterThan(0);
  });
});

describe('step status transitions', () => {
  it('throws with the step named on an illegal transition', () => {
    expect(() => assertStepTransition('COMPENSATED', 'RUNNING', 's-1', 'charge')).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION', entity: 'step', step: 'charge', from: 'COMPENSATED', to: 'RUNNING' }),
    );
    expect(() => assertStepTransition('PENDING', 'SUCCEEDED', 's-1', 'charge')).toThrow(IllegalTransitionError);
    expect(() => assertStepTransition('SUCCEEDED', 'RUNNING', 's-1', 'charge')).toThrow(IllegalTransitionError);
  });

  it('lets every non-terminal status move on, and no terminal one', () => {
    const terminal: StepStatus[] = ['COMPENSATED', 'SKIPPED'];
    for (const status of STEP_STATUSES) {
      expect({ status, terminal: STEP_TRANSITIONS[status].length === 0 }).toEqual({ status, terminal: terminal.includes(status) });
    }
  });

  it('only reaches each status through the table', () => {
    for (const from of STEP_STATUSES) {
      for (const to of STEP_STATUSES) {
        const ok = STEP_TRANSITIONS[from].includes(to);
        if (ok) expect(() => assertStepTransition(from, to, 's', 'x')).not.toThrow();
        else expect(() => assertStepTransition(from, to, 's', 'x')).toThrow(IllegalTransitionError);
      }
    }
  });
});
