// Routes a command to its handler by (action, commandType), and checks an execute's
// input against the handler's inputSchema when it declares one.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { StepAction } from './protocol/protocol';
import { DuplicateHandlerError, InvalidParticipantOptionsError } from './participant-errors';
import type { StepHandler } from './step-handler';

export type AnyStepHandler = StepHandler<unknown, unknown>;

export class HandlerRegistry {
  private readonly byAction: Record<StepAction, Map<string, AnyStepHandler>> = { execute: new Map(), compensate: new Map() };
  private readonly validators = new Map<AnyStepHandler, ValidateFunction>();
  private readonly ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

  register(handler: AnyStepHandler): void {
    if (!handler || typeof handler.command !== 'string' || typeof handler.execute !== 'function') {
      throw new InvalidParticipantOptionsError(['a handler needs a `command` (string) and an `execute` function']);
    }
    if (handler.compensation !== undefined && typeof handler.compensate !== 'function') {
      throw new InvalidParticipantOptionsError([`handler of '${handler.command}' names compensation '${handler.compensation}' but has no compensate function`]);
    }
    if (this.byAction.execute.has(handler.command)) throw new DuplicateHandlerError(handler.command, 'execute');
    if (handler.compensation !== undefined && this.byAction.compensate.has(handler.compensation)) throw new DuplicateHandlerError(handler.compensation, 'compensate');
    if (handler.inputSchema) {
      try {
        this.validators.set(handler, this.ajv.compile(handler.inputSchema));
      } catch (err) {
        throw new InvalidParticipantOptionsError([`inputSchema of '${handler.command}' is not a valid JSON Schema: ${(err as Error).message}`]);
      }
    }
    this.byAction.execute.set(handler.command, handler);
    if (handler.compensation !== undefined) this.byAction.compensate.set(handler.compensation, handler);
  }

  find(action: StepAction, commandType: string): AnyStepHandler | undefined {
    return this.byAction[action].get(commandType);
  }

  /** Problems of an execute's input, or undefined when it is acceptable. */
  inputProblems(handler: AnyStepHandler, input: unknown): string | undefined {
    const validate = this.validators.get(handler);
    if (!validate || validate(input)) return undefined;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(input)'} ${e.message ?? 'is invalid'}`).join('; ');
  }

  commandTypes(): { execute: string[]; compensate: string[] } {
    return { execute: [...this.byAction.execute.keys()], compensate: [...this.byAction.compensate.keys()] };
  }
}
