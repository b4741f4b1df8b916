import fc from 'fast-check';
import { buildTimeline, errorText } from '../../../packages/dashboard/src/model/timeline';
import { at, attempt, saga, step, T0 } from './fixtures';

describe('dashboard timeline', () => {
  it('lists every attempt and compensation by the time it was sent, each placed on the saga time axis', () => {
    const s = saga({
      status: 'COMPENSATED',
      finishedAt: at(1000),
      steps: [
        step('createOrder', {
          attempts: [
            attempt({ action: 'execute', attempt: 1, status: 'SUCCEEDED', sentAt: at(0), repliedAt: at(100), durationMs: 100, output: { ref: 'o-1' } }),
            attempt({ action: 'compensate', attempt: 1, status: 'SUCCEEDED', sentAt: at(800), repliedAt: at(1000), durationMs: 200 }),
          ],
        }),
        step('charge', {
          attempts: [attempt({ action: 'execute', attempt: 1, status: 'FAILED', sentAt: at(100), repliedAt: at(500), durationMs: 400, error: { code: 'CARD_DECLINED', message: 'declined' } })],
        }),
      ],
    });
    const t = buildTimeline(s, T0 + 60_000);
    expect(t.rows.map((r) => `${r.step} ${r.action} #${r.attempt} ${r.status}`)).toEqual(['createOrder execute #1 SUCCEEDED', 'charge execute #1 FAILED', 'createOrder compensate #1 SUCCEEDED']);
    // A finished saga's axis ends when it finished, not now.
    expect([t.from, t.to]).toEqual([T0, T0 + 1000]);
    expect(t.rows.map((r) => [r.offset, r.width])).toEqual([
      [0, 0.1],
      [0.1, 0.4],
      [0.8, 0.2],
    ]);
    expect(t.rows[1].error).toBe('CARD_DECLINED: declined');
    expect(t.rows[0].output).toEqual({ ref: 'o-1' });
  });

  it('ends a timed-out attempt at its deadline and an attempt in flight now, on an axis that reaches now', () => {
    const s = saga({
      steps: [
        step('charge', {
          attempts: [
            attempt({ action: 'execute', attempt: 1, status: 'TIMED_OUT', sentAt: at(0), deadlineAt: at(5000) }),
            attempt({ action: 'execute', attempt: 2, status: 'SENT', sentAt: at(6000), deadlineAt: at(11000) }),
          ],
        }),
      ],
    });
    const t = buildTimeline(s, T0 + 8000);
    expect(t.to).toBe(T0 + 8000);
    expect(t.rows.map((r) => ({ endedAt: r.endedAt, durationMs: r.durationMs, offset: r.offset, width: r.width }))).toEqual([
      { endedAt: at(5000), durationMs: 5000, offset: 0, width: 5000 / 8000 },
      { endedAt: null, durationMs: null, offset: 6000 / 8000, width: 2000 / 8000 },
    ]);
  });

  it('keeps every bar inside the axis and the rows in the order they were sent, whatever the times', () => {
    const attemptArb = fc.record({
      sent: fc.integer({ min: 0, max: 100_000 }),
      took: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
      status: fc.constantFrom('SENT', 'SUCCEEDED', 'FAILED', 'RETRY_REQUESTED', 'TIMED_OUT' as const),
    });
    fc.assert(
      fc.property(fc.array(attemptArb, { maxLength: 12 }), fc.integer({ min: 0, max: 300_000 }), fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: null }), (attempts, now, finished) => {
        const s = saga({
          finishedAt: finished === null ? null : at(finished),
          steps: [
            step('a', {
              attempts: attempts.map((a, i) =>
                attempt({ action: 'execute', attempt: i + 1, status: a.status, sentAt: at(a.sent), repliedAt: a.took === null || a.status === 'SENT' || a.status === 'TIMED_OUT' ? null : at(a.sent + a.took), deadlineAt: a.took === null ? null : at(a.sent + a.took) }),
              ),
            }),
          ],
        });
        const t = buildTimeline(s, T0 + now);
        expect(t.rows).toHaveLength(attempts.length);
        for (const r of t.rows) {
          expect(r.offset).toBeGreaterThanOrEqual(0);
          expect(r.width).toBeGreaterThanOrEqual(0);
          expect(r.offset + r.width).toBeLessThanOrEqual(1 + 1e-9);
        }
        const starts = t.rows.map((r) => Date.parse(r.startedAt));
        expect(starts).toEqual([...starts].sort((x, y) => x - y));
      }),
    );
  });

  it('writes a reply error as one line, whatever its shape', () => {
    expect(errorText(null)).toBeNull();
    expect(errorText({ code: 'X', message: 'broke' })).toBe('X: broke');
    expect(errorText({ message: 'broke' })).toBe('broke');
    expect(errorText('plain')).toBe('plain');
    expect(errorText({ odd: 1 })).toBe('{"odd":1}');
  });
});
