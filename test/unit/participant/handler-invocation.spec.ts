import { invokeCompensate, invokeExecute } from '../../../packages/participant/src/handler-invocation';
import type { AnyStepHandler } from '../../../packages/participant/src/handler-registry';
import { handlerContext } from '../../../packages/participant/src/handler-context';
import { type ParticipantLogger, failure, retry, success } from '@saga-coordinator/participant';

const logged: string[] = [];
const log: ParticipantLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => void logged.push(m) };
const ctx = handlerContext(
  {
    protocolVersion: 1,
    messageId: 's:x:execute:1',
    sagaId: '2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21',
    definition: { name: 'd', version: 1 },
    step: 'x',
    action: 'execute',
    attempt: 1,
    commandType: 'x.do',
    replyTopic: 'r',
    deadlineAt: '2030-01-01T00:00:00.000Z',
    payload: null,
  },
  'p',
  log,
  null,
);
const handler = (result: () => Promise<unknown>): AnyStepHandler => ({ command: 'x.do', compensation: 'x.undo', execute: result as never, compensate: result as never });

describe('handler invocation', () => {
  beforeEach(() => (logged.length = 0));

  it('passes outcomes through and turns the output into plain JSON', async () => {
    const at = new Date('2030-01-02T03:04:05.000Z');
    expect(await invokeExecute(handler(async () => success({ at, skip: undefined })), null, ctx)).toEqual({ kind: 'success', output: { at: '2030-01-02T03:04:05.000Z' } });
    expect(await invokeExecute(handler(async () => success()), null, ctx)).toEqual({ kind: 'success', output: undefined });
    expect(await invokeExecute(handler(async () => failure('NO', 'refused')), null, ctx)).toEqual({ kind: 'failure', error: { code: 'NO', message: 'refused' } });
    expect(await invokeExecute(handler(async () => retry('busy')), null, ctx)).toEqual({ kind: 'retry', error: { message: 'busy' } });
    expect(logged).toEqual([]);
  });

  it('makes anything unclassified retryable, and logs it', async () => {
    expect(await invokeExecute(handler(async () => Promise.reject(new Error('boom'))), null, ctx)).toEqual({ kind: 'retry', error: { code: 'HANDLER_ERROR', message: 'boom' } });
    expect(await invokeExecute(handler(async () => 42), null, ctx)).toMatchObject({ kind: 'retry', error: { code: 'HANDLER_ERROR', message: expect.stringContaining('returned 42') } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await invokeExecute(handler(async () => success(cyclic)), null, ctx)).toMatchObject({ kind: 'retry', error: { message: expect.stringContaining('not JSON') } });
    expect(logged).toHaveLength(3);
  });

  it('treats a failure returned by a compensation as retry: compensations must eventually succeed', async () => {
    expect(await invokeCompensate(handler(async () => failure('NO', 'later')), { input: null, output: null }, ctx)).toEqual({ kind: 'retry', error: { code: 'NO', message: 'later' } });
  });

  it('refuses ctx.tx without a database, with a stable code', () => {
    expect(() => ctx.tx).toThrow(expect.objectContaining({ code: 'NO_DATABASE', retriable: false }));
  });
});
