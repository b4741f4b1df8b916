// Calls a handler and classifies what happened. Anything the handler did not classify
// itself — a throw, or a return value that is not success()/failure()/retry() — is a
// retryable failure and is logged with its stack: the coordinator retries, and a
// persistent bug surfaces as a saga that compensates (or, after the pivot, needs an operator).
import type { JsonValue } from './protocol/json';
import type { ReplyError } from './protocol/protocol';
import { REPLY_ERROR_CODES } from './participant-errors';
import { describeError } from './participant-logger';
import { isLockConflict } from './retriable';
import type { AnyStepHandler } from './handler-registry';
import type { CompensationData, HandlerContext } from './step-handler';
import { isStepOutcome, type StepOutcome } from './step-outcome';
import { inHandlerSpan } from './participant-telemetry';

/** `lockConflict`: the handler threw because its transaction lost a lock race (deadlock, serialization). */
export type Invocation = { kind: 'success'; output: JsonValue | undefined } | { kind: 'failure'; error: ReplyError } | { kind: 'retry'; error: ReplyError; lockConflict?: true };

export async function invokeExecute(handler: AnyStepHandler, input: unknown, ctx: HandlerContext): Promise<Invocation> {
  return classify(() => handler.execute(input, ctx), ctx, 'execute');
}

/** A compensation cannot fail for business reasons: a `failure` it returns is treated as `retry`. */
export async function invokeCompensate(handler: AnyStepHandler, data: CompensationData<unknown, unknown>, ctx: HandlerContext): Promise<Invocation> {
  const result = await classify(() => handler.compensate!(data, ctx), ctx, 'compensate');
  return result.kind === 'failure' ? { kind: 'retry', error: result.error } : result;
}

function classify(call: () => Promise<unknown>, ctx: HandlerContext, action: 'execute' | 'compensate'): Promise<Invocation> {
  const info = { participant: ctx.participant, sagaId: ctx.sagaId, step: ctx.step, attempt: ctx.attempt, commandType: ctx.commandType, messageId: ctx.messageId, action };
  return inHandlerSpan(info, () => classifyCall(call, ctx, action));
}

async function classifyCall(call: () => Promise<unknown>, ctx: HandlerContext, action: string): Promise<Invocation> {
  let result: unknown;
  try {
    result = await call();
  } catch (err) {
    const error = { code: REPLY_ERROR_CODES.handlerError, message: err instanceof Error ? err.message : String(err) };
    // A lost lock race is the SDK's to run again, not a handler bug: no stack in the log.
    if (isLockConflict(err)) return { kind: 'retry', error, lockConflict: true };
    ctx.log.error(`${action} handler of '${ctx.commandType}' threw; answering retry`, { sagaId: ctx.sagaId, step: ctx.step, attempt: ctx.attempt, ...describeError(err) });
    return { kind: 'retry', error };
  }
  if (!isStepOutcome(result)) {
    const message = `${action} handler of '${ctx.commandType}' returned ${JSON.stringify(result) ?? String(result)}; expected success(), failure() or retry()`;
    ctx.log.error(message, { sagaId: ctx.sagaId, step: ctx.step });
    return { kind: 'retry', error: { code: REPLY_ERROR_CODES.handlerError, message } };
  }
  return fromOutcome(result, ctx);
}

function fromOutcome(result: StepOutcome, ctx: HandlerContext): Invocation {
  switch (result.outcome) {
    case 'success': {
      try {
        // What the database stores and the coordinator receives: plain JSON (Dates become strings, undefined goes).
        const text = JSON.stringify(result.output);
        return { kind: 'success', output: text === undefined ? undefined : (JSON.parse(text) as JsonValue) };
      } catch (err) {
        ctx.log.error(`handler of '${ctx.commandType}' returned an output that is not JSON; answering retry`, { sagaId: ctx.sagaId, step: ctx.step, ...describeError(err) });
        return { kind: 'retry', error: { code: REPLY_ERROR_CODES.handlerError, message: `output is not JSON: ${(err as Error).message}` } };
      }
    }
    case 'failure':
      return { kind: 'failure', error: { code: result.code, message: result.message } };
    case 'retry':
      return { kind: 'retry', error: result.code === undefined ? { message: result.message } : { code: result.code, message: result.message } };
  }
}
