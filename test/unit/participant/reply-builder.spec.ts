import type { CommandMessage } from '@saga-coordinator/participant/protocol';
import type { BarrierRow } from '../../../packages/participant/src/barrier.repository';
import { REPLY_ERROR_CODES } from '@saga-coordinator/participant';
import { nameBasedUuid, replyFromBarrier, replyTo } from '../../../packages/participant/src/reply-builder';

const SAGA = '2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21';
const cmd = (action: 'execute' | 'compensate', attempt: number): CommandMessage => ({
  protocolVersion: 1,
  messageId: `${SAGA}:reserve:${action}:${attempt}`,
  sagaId: SAGA,
  definition: { name: 'order', version: 1 },
  step: 'reserve',
  action,
  attempt,
  commandType: 'stock.reserve',
  replyTopic: 'saga.replies',
  deadlineAt: '2030-01-01T00:00:00.000Z',
  payload: {},
});
const row = (state: BarrierRow['state'], extra: Partial<BarrierRow> = {}): BarrierRow => ({ sagaId: SAGA, step: 'reserve', action: 'execute', state, output: null, error: null, commandId: null, ...extra });

describe('reply builder', () => {
  it('makes RFC 4122 version 5 UUIDs (the DNS namespace test vector)', () => {
    expect(nameBasedUuid('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives a recorded outcome the same reply id every time, and a different one per command and per state', () => {
    const applied = row('APPLIED', { output: { id: 7 } });
    const first = replyFromBarrier(cmd('execute', 1), applied);
    expect(replyFromBarrier(cmd('execute', 1), applied)).toEqual(first);
    expect(replyFromBarrier(cmd('execute', 2), applied).messageId).not.toBe(first.messageId);
    expect(replyFromBarrier(cmd('execute', 1), row('FAILED')).messageId).not.toBe(first.messageId);
    expect(first).toEqual({
      protocolVersion: 1,
      messageId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      correlationId: `${SAGA}:reserve:execute:1`,
      sagaId: SAGA,
      step: 'reserve',
      action: 'execute',
      attempt: 1,
      outcome: 'success',
      output: { id: 7 },
    });
  });

  it('answers each barrier state as the protocol expects', () => {
    expect(replyFromBarrier(cmd('execute', 1), row('FAILED', { error: { code: 'OUT_OF_STOCK', message: 'none left' } }))).toMatchObject({ outcome: 'failure', error: { code: 'OUT_OF_STOCK' } });
    expect(replyFromBarrier(cmd('execute', 1), row('BLOCKED'))).toMatchObject({ outcome: 'failure', error: { code: REPLY_ERROR_CODES.alreadyCompensated } });
    expect(replyFromBarrier(cmd('compensate', 1), row('NULL', { action: 'compensate' }))).toMatchObject({ outcome: 'success', output: { nullCompensation: true } });
    expect(replyFromBarrier(cmd('compensate', 1), row('APPLIED', { action: 'compensate' }))).not.toHaveProperty('output');
    expect(() => replyFromBarrier(cmd('execute', 1), row('PENDING'))).toThrow(/PENDING/);
  });

  it('gives an unrecorded reply a fresh id', () => {
    const a = replyTo(cmd('execute', 1), { outcome: 'retry', error: { message: 'busy' } });
    const b = replyTo(cmd('execute', 1), { outcome: 'retry', error: { message: 'busy' } });
    expect(a.messageId).not.toBe(b.messageId);
  });
});
