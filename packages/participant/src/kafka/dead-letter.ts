// Dead letters: a message that cannot be processed is published, with the reason, to
// <prefix>.dead-letter, so its partition keeps moving and nothing is lost silently.
// A dead letter must always be publishable, whatever the original was: the envelope is
// cut to fit MAX_DEAD_LETTER_BYTES (far below Kafka's default 1 MiB limit), keeping the
// original's size and SHA-256 when its bytes had to be truncated. A dead letter that
// cannot be published would stop its consumer as surely as the bad message did.
import { createHash } from 'node:crypto';
import { PROTOCOL_VERSION } from '../protocol/protocol';
import { storableText } from '../protocol/storable-json';
import { wireHeaders } from '../protocol/wire-headers';
import type { InboundMessage, OutboundMessage } from './kafka-bus';

/** Upper bound of a dead letter's value, key and headers together, in bytes. */
export const MAX_DEAD_LETTER_BYTES = 512 * 1024;
/** The reason is cut to this many characters in the body, and the `dead-letter-reason` header to fewer. */
const MAX_REASON_CHARS = 4000;
const MAX_REASON_HEADER_CHARS = 1000;
/** The original's key and each of its header values are cut to this many characters. */
const MAX_ORIGINAL_FIELD_CHARS = 1000;
const MAX_ORIGINAL_HEADERS = 20;
/** Room kept for Kafka's per-record overhead and the header names. */
const RECORD_OVERHEAD_BYTES = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DeadLetterOriginal {
  key: string | null;
  /** The original value: its text, or base64 when it was not valid UTF-8 (see valueEncoding); cut when truncated. */
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
  /** Size of the original value in bytes, before any truncation. */
  valueBytes: number;
  /** SHA-256 (hex) of the original value's bytes, before any truncation. */
  valueSha256: string | null;
  /** True when the value, the key or a header was cut to fit the dead letter. */
  truncated: boolean;
  headers: Record<string, string>;
}

export interface DeadLetterEnvelope {
  protocolVersion: typeof PROTOCOL_VERSION;
  reason: string;
  source: { topic: string; partition: number; offset: string };
  original: DeadLetterOriginal;
  deadLetteredAt: string;
  by: string;
}

export function deadLetterMessage(topic: string, source: InboundMessage, reason: string, by: string, now: Date): OutboundMessage {
  const safeReason = storableText(cut(reason, MAX_REASON_CHARS));
  const { original, fieldsTruncated } = originalFields(source);
  const envelope: DeadLetterEnvelope = {
    protocolVersion: PROTOCOL_VERSION,
    reason: safeReason,
    source: { topic: source.topic, partition: source.partition, offset: source.offset },
    original: { ...original, truncated: fieldsTruncated },
    deadLetteredAt: now.toISOString(),
    by,
  };
  const key = recordKey(source);
  const headers = wireHeaders('dead-letter', undefined, { 'dead-letter-reason': cut(safeReason, MAX_REASON_HEADER_CHARS), 'source-topic': source.topic });
  const fixedBytes = Buffer.byteLength(key) + Object.entries(headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0) + RECORD_OVERHEAD_BYTES;
  return { topic, key, value: fitValue(envelope, MAX_DEAD_LETTER_BYTES - fixedBytes), headers };
}

function originalFields(source: InboundMessage): { original: Omit<DeadLetterOriginal, 'truncated'>; fieldsTruncated: boolean } {
  let fieldsTruncated = false;
  const key = source.key === null ? null : cut(source.key, MAX_ORIGINAL_FIELD_CHARS);
  if (key !== source.key) fieldsTruncated = true;
  const headers: Record<string, string> = {};
  const entries = Object.entries(source.headers);
  if (entries.length > MAX_ORIGINAL_HEADERS) fieldsTruncated = true;
  for (const [name, value] of entries.slice(0, MAX_ORIGINAL_HEADERS)) {
    const n = cut(name, MAX_ORIGINAL_FIELD_CHARS);
    const v = cut(value, MAX_ORIGINAL_FIELD_CHARS);
    if (n !== name || v !== value) fieldsTruncated = true;
    headers[n] = v;
  }
  if (source.value === null) return { original: { key, value: null, valueEncoding: 'utf8', valueBytes: 0, valueSha256: null, headers }, fieldsTruncated };
  let value: string;
  let valueEncoding: DeadLetterOriginal['valueEncoding'] = 'utf8';
  try {
    value = utf8.decode(source.value);
  } catch {
    value = source.value.toString('base64');
    valueEncoding = 'base64';
  }
  const valueSha256 = createHash('sha256').update(source.value).digest('hex');
  return { original: { key, value, valueEncoding, valueBytes: source.value.length, valueSha256, headers }, fieldsTruncated };
}

/** The serialised envelope, its original value cut (at a character boundary) until the whole fits `budget` bytes. */
function fitValue(envelope: DeadLetterEnvelope, budget: number): string {
  const whole = JSON.stringify(envelope);
  const value = envelope.original.value;
  if (Buffer.byteLength(whole) <= budget || value === null) return whole;
  const withoutValue = Buffer.byteLength(JSON.stringify({ ...envelope, original: { ...envelope.original, value: '', truncated: true } }));
  const room = budget - withoutValue;
  const encodedBytes = (length: number) => Buffer.byteLength(JSON.stringify(prefix(value, length, envelope.original.valueEncoding))) - 2;
  // The largest prefix whose JSON-escaped form fits: escaping can grow a character up to 6 bytes, so search.
  let lo = 0;
  let hi = value.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encodedBytes(mid) <= room) lo = mid;
    else hi = mid - 1;
  }
  return JSON.stringify({ ...envelope, original: { ...envelope.original, value: prefix(value, lo, envelope.original.valueEncoding), truncated: true } });
}

function prefix(value: string, length: number, encoding: DeadLetterOriginal['valueEncoding']): string {
  if (encoding === 'base64') return value.slice(0, length - (length % 4));
  return cut(value, length);
}

/** The original key when it is short enough to partition by, else its hash (same key, same partition). */
function recordKey(source: InboundMessage): string {
  if (source.key === null) return `${source.topic}:${source.partition}:${source.offset}`;
  if (source.key.length <= MAX_ORIGINAL_FIELD_CHARS) return source.key;
  return `sha256:${createHash('sha256').update(source.key).digest('hex')}`;
}

/** The first `max` UTF-16 units of `s`, never splitting a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
