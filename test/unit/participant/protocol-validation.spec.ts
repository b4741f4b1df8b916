import fc from 'fast-check';
import { MAX_JSON_DEPTH, MAX_MESSAGE_BYTES, parseProtocolMessage, storableText, type ParseResult, type ReplyMessage, type StartSagaMessage } from '@saga-coordinator/participant/protocol';

const SAGA = '2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21';
const start = (extra: Record<string, unknown> = {}) => ({ protocolVersion: 1, idempotencyKey: 'order-4711', definition: 'order', input: { orderId: '4711' }, ...extra });
const reply = (extra: Record<string, unknown> = {}) => ({
  protocolVersion: 1,
  messageId: '8d1c0b5a-7e44-4b0c-9a6e-3f2d1e0c9b8a',
  correlationId: `${SAGA}:charge:execute:1`,
  sagaId: SAGA,
  step: 'charge',
  action: 'execute',
  attempt: 1,
  outcome: 'success',
  output: { ok: true },
  ...extra,
});
const parseStart = (m: unknown) => parseProtocolMessage<StartSagaMessage>('start-saga', typeof m === 'string' ? m : JSON.stringify(m));
const parseReply = (m: unknown) => parseProtocolMessage<ReplyMessage>('reply', typeof m === 'string' ? m : JSON.stringify(m));
const reasonOf = (r: ParseResult<unknown>) => (r.ok ? 'accepted' : r.reason);

/** JSON whose strings PostgreSQL can store (no NUL, no lone surrogates) and whose numbers are finite. */
const storableJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 5 }).filter((v) => !JSON.stringify(v).includes('\\u0000'));

describe('protocol message validation', () => {
  it('accepts valid start requests and replies whatever storable JSON they carry', () => {
    fc.assert(
      fc.property(storableJson, storableJson, (input, output) => {
        expect(parseStart(start({ input }))).toEqual({ ok: true, message: start({ input: JSON.parse(JSON.stringify(input)) }) });
        expect(parseReply(reply({ output })).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a NUL character or a lone surrogate in any string, naming where', () => {
    for (const [probe, where] of [
      [start({ idempotencyKey: 'a\u0000b' }), 'idempotencyKey'],
      [start({ definition: 'x\u0000' }), 'definition'],
      [start({ input: { a: { b: ['ok', 'n\u0000'] } } }), 'input.a.b[1]'],
      [start({ input: { note: 'x\ud800y' } }), 'input.note'],
      [start({ businessKey: '\udc00' }), 'businessKey'],
    ] as const) {
      expect(reasonOf(parseStart(probe))).toMatch(new RegExp(`^start-saga message cannot be stored: ${where.replace(/[[\].]/g, '\\$&')} contains a (NUL|lone)`));
    }
    for (const [probe, where] of [
      [reply({ messageId: 'm\u0000' }), 'messageId'],
      [reply({ messageId: 'm\ud800' }), 'messageId'],
      [reply({ output: { deep: 'x\u0000' } }), 'output.deep'],
      [reply({ outcome: 'failure', output: undefined, error: { message: 'card \u0000declined' } }), 'error.message'],
    ] as const) {
      expect(reasonOf(parseReply(probe))).toMatch(new RegExp(`^reply message cannot be stored: ${where.replace(/[[\].]/g, '\\$&')} contains a (NUL|lone)`));
    }
  });

  it('keeps integers in the range of a PostgreSQL integer', () => {
    expect(parseStart(start({ version: 2147483647 })).ok).toBe(true);
    expect(reasonOf(parseStart(start({ version: 2147483648 })))).toMatch(/\/version must be <= 2147483647/);
    expect(reasonOf(parseReply(reply({ attempt: 2147483648, correlationId: `${SAGA}:charge:execute:2147483648` })))).toMatch(/\/attempt must be <= 2147483647/);
    expect(reasonOf(parseReply('{"attempt": 1e400}'))).toMatch(/^reply message cannot be stored: attempt must be a finite number/);
  });

  it('refuses step and definition names that no definition can have', () => {
    expect(reasonOf(parseReply(reply({ step: '__proto__', correlationId: `${SAGA}:__proto__:execute:1` })))).toMatch(/\/step must match pattern/);
    expect(reasonOf(parseStart(start({ definition: '../etc' })))).toMatch(/\/definition must match pattern/);
  });

  it('refuses nesting deeper than the limit before parsing, at any depth, without overflowing the stack', () => {
    const nest = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    // The envelope is one level, so the input may nest MAX_JSON_DEPTH - 1 levels.
    expect(parseStart(`{"protocolVersion":1,"idempotencyKey":"k","definition":"d","input":${nest(MAX_JSON_DEPTH - 1)}}`).ok).toBe(true);
    expect(reasonOf(parseStart(`{"protocolVersion":1,"idempotencyKey":"k","definition":"d","input":${nest(MAX_JSON_DEPTH)}}`))).toBe(
      `start-saga message nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    );
    expect(reasonOf(parseReply(`{"output":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))).toMatch(/nests arrays and objects deeper/);
  });

  it('refuses messages over the size limit of their kind, and bytes that are not UTF-8', () => {
    const big = JSON.stringify(start({ input: { blob: 'x'.repeat(MAX_MESSAGE_BYTES['start-saga']) } }));
    expect(reasonOf(parseStart(big))).toBe(`start-saga message is ${Buffer.byteLength(big)} bytes, more than the limit of ${MAX_MESSAGE_BYTES['start-saga']}`);
    const latin1 = Buffer.concat([Buffer.from('{"protocolVersion":1,"idempotencyKey":"caf'), Buffer.from([0xe9]), Buffer.from('","definition":"d","input":{}}')]);
    expect(reasonOf(parseProtocolMessage('start-saga', latin1))).toBe('start-saga message is not valid UTF-8');
  });

  it('keeps reasons short and storable, whatever the message', () => {
    const many = start(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`extra${i}`, i])));
    const r = reasonOf(parseStart(many));
    expect(r).toMatch(/and \d+ more$/);
    expect(r.length).toBeLessThan(2000);
    // V8 quotes the start of the text in its parse error: the NUL and the surrogate must not come along.
    const reason = reasonOf(parseReply('x\u0000\ud800'));
    expect(reason).toMatch(/^reply message is not valid JSON: /);
    expect(storableText(reason)).toBe(reason);
  });
});
