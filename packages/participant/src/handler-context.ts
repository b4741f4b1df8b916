// The context a handler receives, and how a compensate command's payload is read.
import type { PoolClient } from 'pg';
import { isPlainObject } from './protocol/json';
import type { CommandMessage } from './protocol/protocol';
import { NoDatabaseError } from './participant-errors';
import type { ParticipantLogger } from './participant-logger';
import type { CompensationData, HandlerContext } from './step-handler';

export function handlerContext(command: CommandMessage, participant: string, log: ParticipantLogger, tx: PoolClient | null): HandlerContext {
  return {
    participant,
    sagaId: command.sagaId,
    step: command.step,
    attempt: command.attempt,
    commandType: command.commandType,
    messageId: command.messageId,
    definition: command.definition,
    deadlineAt: new Date(command.deadlineAt),
    get tx(): PoolClient {
      if (!tx) throw new NoDatabaseError(participant);
      return tx;
    },
    log,
  };
}

/** `{ input, output }` per the protocol; a payload of another shape is passed as the input, with no output. */
export function compensationPayload(command: CommandMessage): CompensationData<unknown, unknown> {
  const p = command.payload;
  if (isPlainObject(p) && 'input' in p) return { input: p.input, output: p.output ?? null };
  return { input: p, output: null };
}
