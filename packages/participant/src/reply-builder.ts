// Builds replies. A reply to a recorded outcome is a pure function of the barrier row
// and the command, including its messageId (a name-based UUID of the command id and
// the row's state): re-sending it after a crash or a redelivery sends the very same
// reply, which the coordinator's inbox applies once. Outcomes that are not recorded
// (retry) get a random id: they change nothing, and a later recorded outcome for the
// same command must not be mistaken for them.
import { createHash, randomUUID } from 'node:crypto';
import type { JsonValue } from './protocol/json';
import { PROTOCOL_VERSION, type CommandMessage, type ReplyError, type ReplyMessage, type ReplyOutcome } from './protocol/protocol';
import type { BarrierRow } from './barrier.repository';
import { REPLY_ERROR_CODES } from './participant-errors';

/** Namespace of reply ids (arbitrary, fixed forever: changing it would change re-sent ids). */
const REPLY_ID_NAMESPACE = '3d0c6a52-8f47-4b1e-9c55-2a7e61f0b8d4';

/** RFC 4122 version 5 UUID (SHA-1, name-based). */
export function nameBasedUuid(name: string, namespace = REPLY_ID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface ReplyContent {
  outcome: ReplyOutcome;
  output?: JsonValue;
  error?: ReplyError;
}

export function replyTo(command: CommandMessage, content: ReplyContent, messageId: string = randomUUID()): ReplyMessage {
  const reply: ReplyMessage = {
    protocolVersion: PROTOCOL_VERSION,
    messageId,
    correlationId: command.messageId,
    sagaId: command.sagaId,
    step: command.step,
    action: command.action,
    attempt: command.attempt,
    outcome: content.outcome,
  };
  if (content.output !== undefined) reply.output = content.output;
  if (content.error !== undefined) reply.error = content.error;
  return reply;
}

/** Output of the reply to a null compensation, so that operators see it in the saga's history. */
export const NULL_COMPENSATION_OUTPUT = Object.freeze({ nullCompensation: true });

/** What a decided barrier row answers to a command for the same (saga, step, action), whichever attempt it is. */
export function replyFromBarrier(command: CommandMessage, row: BarrierRow): ReplyMessage {
  return replyTo(command, barrierReplyContent(row), nameBasedUuid(`${command.messageId}|${row.state}`));
}

function barrierReplyContent(row: BarrierRow): ReplyContent {
  switch (row.state) {
    case 'APPLIED':
      return row.output === null ? { outcome: 'success' } : { outcome: 'success', output: row.output };
    case 'FAILED':
      return { outcome: 'failure', error: row.error ?? { message: 'business failure' } };
    case 'BLOCKED':
      return {
        outcome: 'failure',
        error: { code: REPLY_ERROR_CODES.alreadyCompensated, message: `step '${row.step}' of saga ${row.sagaId} was compensated before this execute arrived; refused, nothing applied` },
      };
    case 'NULL':
      return { outcome: 'success', output: { ...NULL_COMPENSATION_OUTPUT } };
    case 'PENDING':
      // A committed row is never PENDING: it is settled in the transaction that inserted it.
      throw new Error(`barrier row of ${row.sagaId}/${row.step}/${row.action} is PENDING outside its transaction`);
  }
}
