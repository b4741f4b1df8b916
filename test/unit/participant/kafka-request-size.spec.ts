import fc from 'fast-check';
import { MAX_REQUEST_BYTES, splitBySize, type OutboundMessage } from '@saga-coordinator/participant/kafka';

const message = (valueBytes: number, n: number): OutboundMessage => ({ topic: 't', key: `k${n % 3}`, value: 'v'.repeat(valueBytes), headers: { 'message-type': 'dead-letter' } });

describe('produce requests stay under the broker limit', () => {
  it('cuts a run of messages into consecutive parts, in order, none over the limit unless a message is alone', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600 * 1024 }), { maxLength: 40 }), (sizes) => {
        const messages = sizes.map(message);
        const parts = splitBySize(messages);
        expect(parts.flat()).toEqual(messages);
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          const bytes = part.reduce((n, m) => n + m.key.length + m.value.length + 'message-typedead-letter'.length + 100, 0);
          if (part.length > 1) expect(bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps small sets in one request', () => {
    expect(splitBySize(Array.from({ length: 1000 }, (_, i) => message(200, i)))).toHaveLength(1);
    expect(splitBySize([message(510 * 1024, 0), message(510 * 1024, 1), message(510 * 1024, 2)])).toHaveLength(3);
  });
});
