import {
  activeTimers,
  attemptTimeoutTimerId,
  backoffTimerId,
  commandMessageId,
  deadlineTimerId,
  replyCorrelates,
  replyEvent,
  timerEvent,
  toWireTime,
  type ReplyMessage,
} from '../../../src/core';
import { given, step } from './support/saga-scenario';

describe('ids', () => {
  it('are deterministic and readable', () => {
    expect(commandMessageId('s-1', 'charge', 'compensate', 3)).toBe('s-1:charge:compensate:3');
    expect(attemptTimeoutTimerId('s-1', 'charge', 'execute', 2)).toBe('s-1:timeout:charge:execute:2');
    expect(backoffTimerId('s-1', 'charge', 'execute', 2)).toBe('s-1:backoff:charge:execute:2');
    expect(deadlineTimerId('s-1')).toBe('s-1:deadline');
  });
});

describe('replyEvent', () => {
  it('turns a reply message into a StepReplied event, keeping optional fields only when present', () => {
    const reply: ReplyMessage = {
      protocolVersion: 1,
      messageId: 'r-1',
      correlationId: 's-1:charge:execute:1',
      sagaId: 's-1',
      step: 'charge',
      action: 'execute',
      attempt: 1,
      outcome: 'failure',
      error: { code: 'DECLINED', message: 'no' },
    };
    expect(replyCorrelates(reply)).toBe(true);
    expect(replyCorrelates({ ...reply, attempt: 2 })).toBe(false);
    expect(replyEvent(reply)).toStrictEqual({ type: 'StepReplied', step: 'charge', action: 'execute', attempt: 1, outcome: 'failure', error: { code: 'DECLINED', message: 'no' } });
  });
});

describe('timers', () => {
  it('turn back into the event that the state waits for', () => {
    const s = given({ name: 'o', deadlineMs: 1_000, steps: [step('a'), step('b')] }).started();
    const [timeout] = s.scheduledTimers.filter((t) => t.kind === 'attempt-timeout');
    expect(timerEvent(timeout)).toEqual({ type: 'AttemptTimedOut', step: 'a', action: 'execute', attempt: 1 });
    const deadline = s.scheduledTimers.find((t) => t.kind === 'deadline')!;
    expect(timerEvent(deadline)).toEqual({ type: 'DeadlineReached' });
    s.reply('a', 'retry');
    const [backoff] = s.scheduledTimers;
    expect(timerEvent(backoff)).toEqual({ type: 'BackoffElapsed', step: 'a', action: 'execute', attempt: 2 });
    s.deliver(timerEvent(backoff)).expectCommand('a', 'execute', { attempt: 2 });
  });

  it('are exactly what the state implies after every decision', () => {
    const s = given({ name: 'o', deadlineMs: 1_000, steps: [step('a'), { parallel: [step('b'), step('c')] }] }).started();
    const armed = new Map<string, unknown>();
    const track = () => {
      for (const e of s.effects) {
        if (e.type === 'ScheduleTimer') armed.set(e.timerId, e);
        if (e.type === 'CancelTimer') armed.delete(e.timerId);
      }
    };
    track();
    s.reply('a', 'success');
    track();
    s.timeout('b');
    armed.delete('saga-1:timeout:b:execute:1'); // it fired
    track();
    expect([...armed.keys()].sort()).toEqual([...activeTimers(s.state, s.def).keys()].sort());
    expect([...armed.keys()].sort()).toEqual(['saga-1:backoff:b:execute:2', 'saga-1:deadline', 'saga-1:timeout:c:execute:1']);
  });

  it('put ISO-8601 times on the wire', () => {
    expect(toWireTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
