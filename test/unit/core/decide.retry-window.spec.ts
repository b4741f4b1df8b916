import { DEFAULT_RETRY_POLICY, DEFINITION_DEFAULTS, type SagaDefinition } from '../../../src/core';
import { givenShipped, step } from './support/saga-scenario';

// The shipped defaults must ride out ordinary outages: giving up needs both the attempt
// count and the minimum retry window spent.
describe('retry windows (shipped defaults)', () => {
  const def: SagaDefinition = { name: 'order', steps: [step('reserve'), step('charge')] };

  it('defaults back off exponentially to two minutes and keep trying for ten', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ maxAttempts: 10, initialBackoffMs: 1_000, maxBackoffMs: 120_000, minRetryWindowMs: 600_000 });
    expect(DEFINITION_DEFAULTS).toMatchObject({ maxCompensationAttempts: 20, minCompensationWindowMs: 1_800_000 });
  });

  it('a burst of fast retry answers during an outage does not exhaust a step', () => {
    const s = givenShipped(def).started().reply('reserve', 'success');
    // 30 fast refusals (a participant whose database restarts), each followed by its backoff.
    for (let i = 0; i < 30 && s.state.steps.charge.status !== 'FAILED'; i++) {
      s.reply('charge', 'retry');
      if (s.state.steps.charge.status === 'RETRY_WAIT') s.backoffElapsed('charge');
      if (s.now - s.state.steps.charge.budgetStartedAt! >= 590_000) break;
    }
    s.expectStatus('RUNNING').check((x) => expect(x.state.steps.charge.attempt).toBeGreaterThan(10));
  });

  it('gives up once both the count and the window are spent', () => {
    const s = givenShipped(def).started().reply('reserve', 'success');
    const started = s.now;
    while (s.state.steps.charge.status !== 'FAILED') {
      s.reply('charge', 'retry');
      if (s.state.steps.charge.status === 'RETRY_WAIT') s.backoffElapsed('charge');
    }
    expect(s.state.steps.charge.attempt).toBeGreaterThanOrEqual(10);
    expect(s.now - started).toBeGreaterThanOrEqual(600_000);
    s.expectStatus('COMPENSATING').expectCommands('reserve:compensate');
  });

  it('compensations keep trying for thirty minutes before escalating', () => {
    const s = givenShipped(def).started().reply('reserve', 'success').reply('charge', 'failure');
    const started = s.now;
    while (s.state.status === 'COMPENSATING') {
      s.compensationReply('reserve', 'retry');
      if (s.state.steps.reserve.status === 'COMPENSATION_RETRY_WAIT') s.backoffElapsed('reserve');
    }
    s.expectStatus('FAILED');
    expect(s.state.steps.reserve.compensationAttempt).toBeGreaterThanOrEqual(20);
    expect(s.now - started).toBeGreaterThanOrEqual(1_800_000);
  });

  it('an operator retry starts a fresh window', () => {
    const s = givenShipped({ name: 'o', steps: [step('a', { retry: { maxAttempts: 1, minRetryWindowMs: 1_000 } }), step('b', { compensation: undefined, pivot: true })] }).started();
    s.reply('a', 'retry').backoffElapsed('a').after(1_000).reply('a', 'retry').expectStatus('COMPENSATED');
  });
});

describe('the saga deadline and FAILED', () => {
  // A saga only escalates to FAILED past its pivot (before it, failed steps compensate) or while
  // compensating: in both the deadline has nothing left to cancel, before and after a resume.
  it('a FAILED saga is always past its pivot or compensating, so a deadline falling meanwhile changes nothing', () => {
    const def: SagaDefinition = {
      name: 'u',
      deadlineMs: 60_000,
      maxForwardAttempts: 1,
      steps: [step('hold'), step('pay', { pivot: true, compensation: undefined }), step('ship', { compensation: undefined, retry: { minRetryWindowMs: 0 } })],
    };
    const s = givenShipped(def).started().reply('hold', 'success').reply('pay', 'success').reply('ship', 'retry').expectStatus('FAILED');
    s.after(120_000).deadline().expectIgnored();
    s.resume().expectStatus('RUNNING').check((x) => expect(x.scheduledTimers.map((t) => t.kind)).toEqual(['attempt-timeout']));
    s.reply('ship', 'success').expectFinished('COMPLETED');
  });
});
