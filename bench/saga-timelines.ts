// One timeline per measured saga: the instants its messages passed, in order, from the
// driver queueing the start to the driver receiving saga.completed. Built after the run
// from the records of the run's topics (their CreateTime), the participants' own
// timings and the driver's. Needs no change of the coordinator. Two optional sources
// split the coordinator's hops further: rows it recorded (when the transaction that
// took up a start or a reply began: saga_instances.created_at, inbox.received_at), and
// the headers below, should its records carry them.
import type { SagaEnd } from './closed-loop-driver';
import type { ParticipantTimings } from './participant-timings';
import type { TappedRecord } from './topic-tap';

/** Optional header on a coordinator record: epoch ms at which the coordinator received the message that caused it. */
export const CAUSE_RECEIVED_HEADER = 'cause-received-at';
/** Optional header on a coordinator record: epoch ms at which the transaction that wrote it committed. */
export const COMMITTED_HEADER = 'committed-at';

/** Who spent the time between the previous point and this one. */
export type HopOwner = 'driver' | 'kafka' | 'coordinator' | 'participant';

export interface TimelinePoint {
  label: string;
  owner: HopOwner;
  at: number;
}

export interface MeasuredSaga {
  /** Business key (= idempotency key) of the start. */
  key: string;
  queuedAt: number;
  end: SagaEnd;
}

/** Epoch ms at which the coordinator's transaction that took up a message began (PostgreSQL's now()), read from its rows. */
export interface CoordinatorRows {
  /** By business key: saga_instances.created_at. */
  startTakenUp: Map<string, number>;
  /** By reply messageId: inbox.received_at. */
  replyTakenUp: Map<string, number>;
}

export interface TimelineSources {
  steps: number;
  coordinatorRows?: CoordinatorRows;
  topics: { start: string; replies: string; events: string; commands: (step: number) => string };
  records: TappedRecord[];
  timings: ParticipantTimings[];
  sagas: MeasuredSaga[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function keepEarliest<K>(map: Map<K, number>, key: K, at: number): void {
  const seen = map.get(key);
  if (seen === undefined || at < seen) map.set(key, at);
}

export function buildTimelines(src: TimelineSources): { timelines: TimelinePoint[][]; incomplete: number } {
  const commandTopics = new Map(Array.from({ length: src.steps }, (_, k) => [src.topics.commands(k + 1), k + 1]));
  const startPublished = new Map<string, number>();
  /** The first reply record to each command, by the command's messageId. */
  const replies = new Map<string, TappedRecord>();
  /** The execute command of (saga, step) with the highest attempt, first delivery of it. */
  const commands = new Map<string, TappedRecord>();
  const completed = new Map<string, TappedRecord>();
  for (const r of src.records) {
    const v = r.value;
    if (r.topic === src.topics.start) {
      const key = str(v.idempotencyKey);
      if (key) keepEarliest(startPublished, key, r.timestamp);
    } else if (r.topic === src.topics.replies) {
      const id = str(v.correlationId);
      if (id === undefined) continue;
      const seen = replies.get(id);
      if (!seen || r.timestamp < seen.timestamp) replies.set(id, r);
    } else if (r.topic === src.topics.events) {
      const sagaId = str(v.sagaId);
      if (v.eventType !== 'saga.completed' || !sagaId) continue;
      const seen = completed.get(sagaId);
      if (!seen || r.timestamp < seen.timestamp) completed.set(sagaId, r);
    } else if (commandTopics.has(r.topic) && v.action === 'execute') {
      const id = `${str(v.sagaId)}/${str(v.step)}`;
      const seen = commands.get(id);
      const attempt = Number(v.attempt);
      const seenAttempt = Number(seen?.value.attempt);
      if (!seen || attempt > seenAttempt || (attempt === seenAttempt && r.timestamp < seen.timestamp)) commands.set(id, r);
    }
  }
  const received = new Map<string, number>();
  const handled = new Map<string, number>();
  for (const t of src.timings) {
    for (const [topic, partition, offset, at] of t.received) keepEarliest(received, `${topic}/${partition}/${offset}`, at);
    for (const [messageId, at] of t.handled) keepEarliest(handled, messageId, at);
  }

  const timelines: TimelinePoint[][] = [];
  let incomplete = 0;
  for (const saga of src.sagas) {
    const points: (TimelinePoint | undefined)[] = [{ label: 'start queued by the driver', owner: 'driver', at: saga.queuedAt }];
    const at = (label: string, owner: HopOwner, t: number | undefined) => points.push(t === undefined ? undefined : { label, owner, at: t });
    at('start published', 'driver', startPublished.get(saga.key));
    const rows = src.coordinatorRows;
    /** The coordinator's hop from taking up `cause` to publishing `r`, split where rows or headers allow. */
    const coordinatorRecord = (cause: string, takenUp: number | undefined, what: string, r: TappedRecord | undefined) => {
      const received = Number(r?.headers[CAUSE_RECEIVED_HEADER]);
      const committed = Number(r?.headers[COMMITTED_HEADER]);
      if (r && Number.isFinite(received) && received > 0) at(`${cause} received by the coordinator's consumer`, 'kafka', received);
      if (rows) at(`${cause} taken up by the coordinator (its transaction began)`, 'coordinator', takenUp);
      if (r && Number.isFinite(committed) && committed > 0) at(`${what} committed`, 'coordinator', committed);
      at(`${what} published`, 'coordinator', r?.timestamp);
    };
    let cause = { name: 'start', takenUp: rows?.startTakenUp.get(saga.key) };
    for (let k = 1; k <= src.steps; k++) {
      const command = commands.get(`${saga.end.sagaId}/s${k}`);
      coordinatorRecord(cause.name, cause.takenUp, `s${k} command`, command);
      at(`s${k} command received by the participant`, 'kafka', command && received.get(`${command.topic}/${command.partition}/${command.offset}`));
      const messageId = str(command?.value.messageId);
      at(`s${k} handler entered`, 'participant', messageId === undefined ? undefined : handled.get(messageId));
      const reply = messageId === undefined ? undefined : replies.get(messageId);
      at(`s${k} reply published`, 'participant', reply?.timestamp);
      const replyId = str(reply?.value.messageId);
      cause = { name: `s${k} reply`, takenUp: replyId === undefined ? undefined : rows?.replyTakenUp.get(replyId) };
    }
    coordinatorRecord(cause.name, cause.takenUp, 'saga.completed', completed.get(saga.end.sagaId));
    at('saga.completed received by the driver', 'kafka', saga.end.at);
    if (points.every((p): p is TimelinePoint => p !== undefined)) timelines.push(points);
    else incomplete += 1;
  }
  return { timelines, incomplete };
}
