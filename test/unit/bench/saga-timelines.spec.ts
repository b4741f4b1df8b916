import type { SagaEnd } from '../../../bench/closed-loop-driver';
import { buildTimelines, CAUSE_RECEIVED_HEADER, COMMITTED_HEADER, type TimelineSources } from '../../../bench/saga-timelines';
import type { TappedRecord } from '../../../bench/topic-tap';

const topics = { start: 'p.start', replies: 'p.replies', events: 'p.events', commands: (k: number) => `p.commands.bench-s${k}` };
let offset = 0;
const record = (topic: string, timestamp: number, value: Record<string, unknown>, headers: Record<string, string> = {}): TappedRecord => ({ topic, partition: 0, offset: String(offset++), timestamp, headers, value });
const command = (k: number, at: number, attempt = 1, headers: Record<string, string> = {}) =>
  record(topics.commands(k), at, { sagaId: 'S', step: `s${k}`, action: 'execute', attempt, messageId: `S:s${k}:execute:${attempt}` }, headers);
const reply = (k: number, at: number, attempt = 1) => record(topics.replies, at, { correlationId: `S:s${k}:execute:${attempt}`, messageId: `R${k}.${attempt}`, sagaId: 'S' });
const end: SagaEnd = { at: 100, type: 'saga.completed', sagaId: 'S' };

function sources(records: TappedRecord[], extra: Partial<TimelineSources> = {}): TimelineSources {
  const received = records.filter((r) => r.topic.startsWith('p.commands.')).map((r) => [r.topic, r.partition, r.offset, r.timestamp + 2] as [string, number, string, number]);
  const handled = records.filter((r) => r.topic.startsWith('p.commands.')).map((r) => [String(r.value.messageId), r.timestamp + 3] as [string, number]);
  return { steps: 2, topics, records, timings: [{ received, handled }], sagas: [{ key: 'run-0', queuedAt: 0, end }], ...extra };
}

describe('saga timelines', () => {
  const happy = () => [
    record(topics.start, 1, { idempotencyKey: 'run-0' }),
    command(1, 10),
    reply(1, 20),
    command(2, 30),
    reply(2, 40),
    record(topics.events, 50, { eventType: 'saga.started', sagaId: 'S' }),
    record(topics.events, 60, { eventType: 'saga.completed', sagaId: 'S' }),
  ];

  it('orders the instants a saga passed, from queued to completed received, with who spent each interval', () => {
    const { timelines, incomplete } = buildTimelines(sources(happy()));
    expect(incomplete).toBe(0);
    expect(timelines[0].map((p) => [p.label, p.owner, p.at])).toEqual([
      ['start queued by the driver', 'driver', 0],
      ['start published', 'driver', 1],
      ['s1 command published', 'coordinator', 10],
      ['s1 command received by the participant', 'kafka', 12],
      ['s1 handler entered', 'participant', 13],
      ['s1 reply published', 'participant', 20],
      ['s2 command published', 'coordinator', 30],
      ['s2 command received by the participant', 'kafka', 32],
      ['s2 handler entered', 'participant', 33],
      ['s2 reply published', 'participant', 40],
      ['saga.completed published', 'coordinator', 60],
      ['saga.completed received by the driver', 'kafka', 100],
    ]);
  });

  it('follows the last attempt of a retried step and the first delivery of a duplicate', () => {
    const records = [...happy(), command(1, 15, 2), command(1, 18, 2), reply(1, 25, 2)];
    const t = buildTimelines(sources(records)).timelines[0];
    expect(t.find((p) => p.label === 's1 command published')!.at).toBe(15);
    expect(t.find((p) => p.label === 's1 reply published')!.at).toBe(25);
  });

  it("splits the coordinator's hop where its records carry the receive and commit headers", () => {
    const records = happy().map((r) => (r.value.step === 's2' && r.topic === topics.commands(2) ? { ...r, headers: { [CAUSE_RECEIVED_HEADER]: '22', [COMMITTED_HEADER]: '27' } } : r));
    const labels = buildTimelines(sources(records)).timelines[0].map((p) => `${p.label}@${p.at}`);
    expect(labels.slice(labels.indexOf('s1 reply published@20'), labels.indexOf('s2 command published@30') + 1)).toEqual([
      's1 reply published@20',
      "s1 reply received by the coordinator's consumer@22",
      's2 command committed@27',
      's2 command published@30',
    ]);
    // With its rows as well, the take-up falls between the receipt and the commit.
    const coordinatorRows = { startTakenUp: new Map([['run-0', 5]]), replyTakenUp: new Map([['R1.1', 24], ['R2.1', 44]]) };
    const both = buildTimelines(sources(records, { coordinatorRows })).timelines[0].map((p) => p.label);
    expect(both.slice(both.indexOf("s1 reply received by the coordinator's consumer"), both.indexOf('s2 command published') + 1)).toEqual([
      "s1 reply received by the coordinator's consumer",
      's1 reply taken up by the coordinator (its transaction began)',
      's2 command committed',
      's2 command published',
    ]);
  });

  it("puts the coordinator's recorded take-up of the start and of each reply before the record it caused", () => {
    const coordinatorRows = { startTakenUp: new Map([['run-0', 5]]), replyTakenUp: new Map([['R1.1', 24], ['R2.1', 44]]) };
    const labels = buildTimelines(sources(happy(), { coordinatorRows })).timelines[0].map((p) => `${p.label}@${p.at}`);
    expect(labels.slice(1, 4)).toEqual(['start published@1', 'start taken up by the coordinator (its transaction began)@5', 's1 command published@10']);
    expect(labels.slice(7, 9)).toEqual(['s1 reply taken up by the coordinator (its transaction began)@24', 's2 command published@30']);
    expect(labels.slice(-3, -1)).toEqual(['s2 reply taken up by the coordinator (its transaction began)@44', 'saga.completed published@60']);
  });

  it('counts a saga with a missing instant as incomplete instead of guessing', () => {
    const withoutReply = happy().filter((r) => r.topic !== topics.replies || r.value.correlationId !== 'S:s2:execute:1');
    expect(buildTimelines(sources(withoutReply))).toEqual({ timelines: [], incomplete: 1 });
    expect(buildTimelines(sources(happy(), { timings: [] }))).toEqual({ timelines: [], incomplete: 1 });
  });
});
