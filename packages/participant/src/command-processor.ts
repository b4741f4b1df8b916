// Turns one valid command into the reply to send. Two implementations: behind the
// barrier (barrier-processor.ts, with a database) and stateless (below, without one).
import type { CommandMessage, ReplyMessage } from './protocol/protocol';
import { compensationPayload, handlerContext } from './handler-context';
import { invokeCompensate, invokeExecute } from './handler-invocation';
import type { HandlerRegistry } from './handler-registry';
import { REPLY_ERROR_CODES } from './participant-errors';
import type { ParticipantLogger } from './participant-logger';
import { replyTo } from './reply-builder';

export interface CommandProcessor {
  /** The reply to publish, or undefined when none may be sent (the outcome is unknown). */
  process(command: CommandMessage): Promise<ReplyMessage | undefined>;
  /** The same for several commands (of different sagas, or in order for one saga), at once where the processor can. */
  processBatch(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[]>;
}

export interface CommandProcessorOptions {
  participant: string;
  skipExpiredExecutes: boolean;
  logger: ParticipantLogger;
  now(): number;
}

/**
 * Without a database there is no barrier: every delivery runs the handler and the
 * reply gets a fresh id. Only for steps whose effect is idempotent by nature (an
 * upsert keyed by the saga id, a PUT to an idempotent API) — see docs/participant-sdk.md.
 */
export class StatelessCommandProcessor implements CommandProcessor {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly options: CommandProcessorOptions,
  ) {}

  async processBatch(commands: CommandMessage[]): Promise<(ReplyMessage | undefined)[]> {
    const replies: (ReplyMessage | undefined)[] = [];
    for (const command of commands) replies.push(await this.process(command));
    return replies;
  }

  async process(command: CommandMessage): Promise<ReplyMessage | undefined> {
    const log = this.options.logger;
    const handler = this.registry.find(command.action, command.commandType);
    if (!handler) {
      log.error(`no handler for ${command.action} of command type '${command.commandType}'; answering failure`, { sagaId: command.sagaId, step: command.step });
      return replyTo(command, { outcome: 'failure', error: { code: REPLY_ERROR_CODES.unknownCommandType, message: `participant '${this.options.participant}' has no handler for '${command.commandType}'` } });
    }
    const ctx = handlerContext(command, this.options.participant, log, null);
    if (command.action === 'compensate') {
      const result = await invokeCompensate(handler, compensationPayload(command), ctx);
      return replyTo(command, result.kind === 'success' ? { outcome: 'success', output: result.output } : { outcome: 'retry', error: result.error });
    }
    if (this.options.skipExpiredExecutes && Date.parse(command.deadlineAt) < this.options.now()) {
      return replyTo(command, { outcome: 'retry', error: { code: REPLY_ERROR_CODES.deadlinePassed, message: `deadline ${command.deadlineAt} had passed; not started` } });
    }
    const problems = this.registry.inputProblems(handler, command.payload);
    if (problems) return replyTo(command, { outcome: 'failure', error: { code: REPLY_ERROR_CODES.invalidInput, message: problems } });
    const result = await invokeExecute(handler, command.payload, ctx);
    if (result.kind === 'success') return replyTo(command, { outcome: 'success', output: result.output });
    return replyTo(command, { outcome: result.kind, error: result.error });
  }
}
