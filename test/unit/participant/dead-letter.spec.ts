import fc from 'fast-check';
import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { deadLetterMessage, MAX_DEAD_LETTER_BYTES, type DeadLetterEnvelope, type InboundMessage, type OutboundMessage } from '@saga-coordinator/participant/kafka';
import deadLetterSchema from '../../../packages/participant/src/protocol/schemas/dead-letter.schema.json';

const validateSchema = addFormats(new Ajv({ allErrors: true, strict: false })).compile(deadLetterSchema);
const NOW = new Date('2026-11-22T10:15:31.004Z');
const inbound = (value: Buffer | null, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  topic: 'saga.replies',
  partition: 3,
  offset: '1812',
  key: 'k-1',
  value,
  headers: {},
  timestamp: '0',
  ...extra,
});
const letter = (m: InboundMessage, reason = 'bad') => deadLetterMessage('saga.dead-letter', m, reason, 'coordinator', NOW);
const recordBytes = (o: OutboundMessage) =>
  Buffer.byteLength(o.value) + Buffer.byteLength(o.key) + Object.entries(o.headers ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
const envelope = (o: OutboundMessage) => JSON.parse(o.value) as DeadLetterEnvelope;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('dead letters', () => {
  it('carry the reason, the source, the original and the protocol headers', () => {
    const value = Buffer.from('{"not": "a reply"}');
    const out = letter(inbound(value, { headers: { 'message-type': 'reply' } }), 'reply message does not match its schema');
    expect(out).toEqual({
      topic: 'saga.dead-letter',
      key: 'k-1',
      value: expect.any(String),
      headers: { 'message-type': 'dead-letter', 'protocol-version': '1', 'dead-letter-reason': 'reply message does not match its schema', 'source-topic': 'saga.replies' },
    });
    expect(envelope(out)).toEqual({
      protocolVersion: 1,
      reason: 'reply message does not match its schema',
      source: { topic: 'saga.replies', partition: 3, offset: '1812' },
      original: { key: 'k-1', value: '{"not": "a reply"}', valueEncoding: 'utf8', valueBytes: value.length, valueSha256: sha(value), truncated: false, headers: { 'message-type': 'reply' } },
      deadLetteredAt: '2026-11-22T10:15:31.004Z',
      by: 'coordinator',
    });
    expect(validateSchema(envelope(out))).toBe(true);
  });

  it('always fit the size limit, keep a prefix of the original, its size and hash, and say when they cut it', () => {
    const unit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), fc.constantFrom('\u0000', '"', '\\', '\ud800'));
    const original = fc.oneof(
      fc.tuple(fc.string({ unit, minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 300_000 })).map(([s, n]) => Buffer.from(s.repeat(n))),
      fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(original, fc.string({ unit, maxLength: 3000 }), fc.option(fc.string({ unit, maxLength: 3000 })), (value, reason, key) => {
        const out = letter(inbound(value, { key, headers: { big: 'h'.repeat(5000) } }), reason);
        expect(recordBytes(out)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
        const dl = envelope(out);
        expect(validateSchema(dl)).toBe(true);
        expect(dl.original.valueBytes).toBe(value.length);
        expect(dl.original.valueSha256).toBe(sha(value));
        const full = dl.original.valueEncoding === 'utf8' ? value.toString('utf8') : value.toString('base64');
        expect(full.startsWith(dl.original.value!)).toBe(true);
        // The header was cut, so the original is always marked truncated here.
        expect(dl.original.truncated).toBe(true);
        expect(dl.reason.length).toBeLessThanOrEqual(4000);
        expect(out.headers!['dead-letter-reason'].length).toBeLessThanOrEqual(1000);
      }),
      { numRuns: 25 },
    );
  });

  it('keep a message of about 1 MB as a truncated prefix', () => {
    const value = Buffer.from(JSON.stringify({ protocolVersion: 1, idempotencyKey: 'k', definition: 'd', input: { blob: '\u0000'.repeat(1_000_000) } }));
    const out = letter(inbound(value), 'start-saga message is 6000000 bytes, more than the limit');
    expect(recordBytes(out)).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    const dl = envelope(out);
    expect(dl.original).toMatchObject({ truncated: true, valueBytes: value.length, valueSha256: sha(value), valueEncoding: 'utf8' });
    expect(dl.original.value!.length).toBeGreaterThan(50_000);
  });

  it('keep bytes that are not UTF-8 as base64, and a huge key as its hash', () => {
    const value = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const key = 'k'.repeat(100_000);
    const out = letter(inbound(value, { key }));
    expect(out.key).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
    expect(envelope(out).original).toMatchObject({ value: value.toString('base64'), valueEncoding: 'base64', truncated: true });
    expect(letter(inbound(null, { key: null })).key).toBe('saga.replies:3:1812');
  });
});
