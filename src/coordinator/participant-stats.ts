// What this replica has seen of each participant since it started: commands sent,
// replies received, when the last reply came, and the attempts that timed out in the
// last five minutes. Fed by the applier after each commit; read by the participants API
// and the metrics. (Kept per replica and in memory: counting in the database would make
// every transaction of every replica write the same hot rows.)
const RECENT_MS = 5 * 60_000;

export interface ParticipantCounters {
  commandsSent: number;
  repliesReceived: number;
  lastReplyAt: number | null;
  timeouts: number[];
}

export class ParticipantStats {
  private readonly counters = new Map<string, ParticipantCounters>();

  record(participant: string, delta: { sent: number; replies: number; timeouts: number }, now: number): void {
    let c = this.counters.get(participant);
    if (!c) {
      c = { commandsSent: 0, repliesReceived: 0, lastReplyAt: null, timeouts: [] };
      this.counters.set(participant, c);
    }
    c.commandsSent += delta.sent;
    c.repliesReceived += delta.replies;
    if (delta.replies > 0) c.lastReplyAt = now;
    for (let i = 0; i < delta.timeouts; i++) c.timeouts.push(now);
    while (c.timeouts.length > 0 && c.timeouts[0] < now - RECENT_MS) c.timeouts.shift();
    if (c.timeouts.length > 10_000) c.timeouts.splice(0, c.timeouts.length - 10_000);
  }

  get(participant: string, now: number): { commandsSent: number; repliesReceived: number; lastReplyAt: number | null; attemptsTimedOutRecently: number } {
    const c = this.counters.get(participant);
    if (!c) return { commandsSent: 0, repliesReceived: 0, lastReplyAt: null, attemptsTimedOutRecently: 0 };
    return { commandsSent: c.commandsSent, repliesReceived: c.repliesReceived, lastReplyAt: c.lastReplyAt, attemptsTimedOutRecently: c.timeouts.filter((t) => t >= now - RECENT_MS).length };
  }

  participants(): string[] {
    return [...this.counters.keys()];
  }
}
