// Malformed messages for the Kafka fuzz test, on the coordinator's start and reply
// topics: the single-message probes of issue 8 (each of which once stopped every
// partition) and more, then seeded random garbage and mutations of valid messages.
// Every message has its own key, which its dead letter keeps, so the test can find it.
import { deepNesting, HostileJson, hostileJson, hostileString, marker, RawJson, toJsonText } from './hostile-json';
import type { SeededRandom } from './seeded-random';

export type Topic = 'start' | 'replies';

/** What the coordinator must do with the message. */
export type Expectation =
  /** Refused: a dead letter with a reason. */
  | 'dead-letter'
  /** A valid message the saga's state makes moot (a reply for a step the saga does not have): recorded and ignored, or dead-lettered. */
  | 'ignored-or-dead-letter'
  /** Random: dead-lettered if validation refuses it (the test asks the validator), else processed. */
  | 'validator-decides';

export interface FuzzMessage {
  kind: string;
  topic: Topic;
  key: string;
  value: Buffer | null;
  expect: Expectation;
}

export interface KafkaFuzzTarget {
  definition: string;
  /** Real sagas (running or finished), for replies that correlate. */
  sagaIds: string[];
  steps: string[];
}

const SAGA_ID = '2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21';
const text = (s: string) => Buffer.from(s, 'utf8');
const json = (v: HostileJson) => text(toJsonText(v));

function start(t: KafkaFuzzTarget, extra: Record<string, HostileJson>, rng: SeededRandom): Record<string, HostileJson> {
  return { protocolVersion: 1, idempotencyKey: `fz-${marker(rng)}`, definition: t.definition, input: { amount: 5, note: marker(rng) }, ...extra };
}

function reply(sagaId: string, step: string, attempt: number, extra: Record<string, HostileJson>, rng: SeededRandom): Record<string, HostileJson> {
  return {
    protocolVersion: 1,
    messageId: `fz-${marker(rng)}`,
    correlationId: `${sagaId}:${step}:execute:${attempt}`,
    sagaId,
    step,
    action: 'execute',
    attempt,
    outcome: 'success',
    output: { ok: true },
    ...extra,
  };
}

const withoutOutput = ({ output: _output, ...rest }: Record<string, HostileJson>) => rest;
const realSaga = (t: KafkaFuzzTarget, rng: SeededRandom) => (t.sagaIds.length > 0 ? rng.pick(t.sagaIds) : SAGA_ID);
const about1MB = () => 'x'.repeat(1_000_000);

/** The named probes: [kind, topic, expectation, value]. */
export const PROBES: readonly { kind: string; topic: Topic; expect: Expectation; value: (t: KafkaFuzzTarget, rng: SeededRandom) => Buffer | null }[] = [
  // Start topic: the blockers first.
  { kind: 'start: NUL in idempotencyKey', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { idempotencyKey: 'a\u0000b' }, r)) },
  { kind: 'start: NUL in definition', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { definition: `${t.definition}\u0000` }, r)) },
  { kind: 'start: NUL in input', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: { amount: 5, note: 'x\u0000y' } }, r)) },
  { kind: 'start: NUL in a property name of input', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: { amount: 5, ['n\u0000']: 1 } }, r)) },
  { kind: 'start: lone surrogate in input', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: { amount: 5, note: '\ud800' } }, r)) },
  { kind: 'start: lone surrogate in businessKey', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { businessKey: 'k\udc00' }, r)) },
  { kind: 'start: version 2147483648', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { version: 2147483648 }, r)) },
  { kind: 'start: input nested 5,000 deep', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: new RawJson('['.repeat(5000) + ']'.repeat(5000)) }, r)) },
  { kind: 'start: about 1 MB', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: { amount: 5, blob: about1MB() } }, r)) },
  { kind: 'start: 1e400 in input', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: { amount: new RawJson('1e400') } }, r)) },
  { kind: 'start: unknown definition', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { definition: 'no-such-definition' }, r)) },
  { kind: 'start: input fails the inputSchema', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { input: { amount: 'five' } }, r)) },
  { kind: 'start: not JSON', topic: 'start', expect: 'dead-letter', value: () => text('{"protocolVersion": 1, "idempotencyKey": ') },
  { kind: 'start: empty value', topic: 'start', expect: 'dead-letter', value: () => Buffer.alloc(0) },
  { kind: 'start: tombstone (null value)', topic: 'start', expect: 'dead-letter', value: () => null },
  { kind: 'start: not UTF-8', topic: 'start', expect: 'dead-letter', value: (t) => Buffer.concat([text(`{"protocolVersion":1,"idempotencyKey":"caf`), Buffer.from([0xe9, 0xff]), text(`","definition":"${t.definition}","input":{"amount":1}}`)]) },
  { kind: 'start: protocolVersion 2', topic: 'start', expect: 'dead-letter', value: (t, r) => json(start(t, { protocolVersion: 2 }, r)) },
  // Reply topic.
  { kind: 'reply: NUL in messageId', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { messageId: 'm\u0000' }, r)) },
  { kind: 'reply: lone surrogate in messageId', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { messageId: `m${marker(r)}\ud800` }, r)) },
  { kind: "reply: late reply, NUL in output", topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { output: { ref: 'r\u0000' } }, r)) },
  { kind: 'reply: NUL in error message', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(withoutOutput(reply(realSaga(t, r), 'reserve', 1, { outcome: 'retry', error: { message: 'down\u0000' } }, r))) },
  { kind: 'reply: output nested 5,000 deep', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { output: new RawJson('{"a":'.repeat(5000) + '1' + '}'.repeat(5000)) }, r)) },
  { kind: 'reply: about 1 MB', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { output: { blob: about1MB() } }, r)) },
  { kind: 'reply: attempt 2147483648', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 2147483648, {}, r)) },
  { kind: 'reply: unknown saga', topic: 'replies', expect: 'dead-letter', value: (_t, r) => json(reply(SAGA_ID, 'reserve', 1, {}, r)) },
  { kind: 'reply: correlationId of another command', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { correlationId: `${SAGA_ID}:reserve:execute:9` }, r)) },
  { kind: 'reply: outcome not in the protocol', topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 1, { outcome: 'maybe' }, r)) },
  { kind: "reply: step '__proto__'", topic: 'replies', expect: 'dead-letter', value: (t, r) => json(reply(realSaga(t, r), '__proto__', 1, {}, r)) },
  { kind: 'reply: not JSON', topic: 'replies', expect: 'dead-letter', value: () => text('not json at all') },
  { kind: "reply: step 'constructor' the saga does not have", topic: 'replies', expect: 'ignored-or-dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'constructor', 1, {}, r)) },
  { kind: 'reply: a step the saga does not have', topic: 'replies', expect: 'ignored-or-dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'teleport', 1, {}, r)) },
  { kind: 'reply: attempt 99 of a real step', topic: 'replies', expect: 'ignored-or-dead-letter', value: (t, r) => json(reply(realSaga(t, r), 'reserve', 99, {}, r)) },
];

/** Random garbage and mutations of valid messages; the validator decides what must be dead-lettered. */
export function randomMessage(rng: SeededRandom, t: KafkaFuzzTarget, n: number): FuzzMessage {
  const topic: Topic = rng.chance(0.5) ? 'start' : 'replies';
  // Replies name real sagas but attempts no saga reaches (at most 5): one that a mutation leaves valid is ignored
  // as a stale attempt, instead of deciding a real saga's outcome in the test's place.
  const base = topic === 'start' ? start(t, {}, rng) : reply(realSaga(t, rng), rng.pick(t.steps), rng.int(50, 60), {}, rng);
  const value = rng.weighted<() => Buffer | null>([
    [2, () => rng.bytes(rng.int(0, 300))],
    [2, () => json(hostileJson(rng))],
    [6, () => json(mutate(rng, base))],
    [1, () => json(base).subarray(0, rng.int(0, json(base).length))],
    [0.2, () => null],
  ])();
  return { kind: `random ${topic}`, topic, key: `fz-${n}-${marker(rng)}`, value, expect: 'validator-decides' };
}

function mutate(rng: SeededRandom, base: Record<string, HostileJson>): Record<string, HostileJson> {
  const copy = { ...base };
  for (let i = rng.int(1, 2); i > 0; i--) {
    const key = rng.chance(0.85) ? rng.pick(Object.keys(copy)) : rng.pick(['extra', '__proto__', 'version', 'error', 'businessKey']);
    const value = rng.weighted<() => HostileJson>([
      [3, () => hostileJson(rng, 2)],
      [2, () => hostileString(rng)],
      [1, () => deepNesting(rng)],
      [1, () => null],
      [1, () => rng.pick<HostileJson>([0, -1, 1.5, 2147483647, new RawJson('2147483648'), new RawJson('1e400'), true])],
    ])();
    if (rng.chance(0.1)) delete copy[key];
    // defineProperty: an assignment to '__proto__' would set the prototype.
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}
