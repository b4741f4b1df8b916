import { HandlerRegistry, type AnyStepHandler } from '../../../packages/participant/src/handler-registry';
import { DuplicateHandlerError, InvalidParticipantOptionsError, success } from '@saga-coordinator/participant';

const handler = (command: string, compensation?: string, extra: Partial<AnyStepHandler> = {}): AnyStepHandler => ({
  command,
  compensation,
  execute: async () => success(),
  ...(compensation ? { compensate: async () => success() } : {}),
  ...extra,
});

describe('handler registry', () => {
  it('routes executes by command and compensations by compensation type', () => {
    const r = new HandlerRegistry();
    const h = handler('credit.reserve', 'credit.release');
    r.register(h);
    expect(r.find('execute', 'credit.reserve')).toBe(h);
    expect(r.find('compensate', 'credit.release')).toBe(h);
    expect(r.find('compensate', 'credit.reserve')).toBeUndefined();
    expect(r.find('execute', 'credit.release')).toBeUndefined();
  });

  it('refuses a second handler for the same type, and a compensation type without a compensate function', () => {
    const r = new HandlerRegistry();
    r.register(handler('a', 'undo-a'));
    expect(() => r.register(handler('a'))).toThrow(DuplicateHandlerError);
    expect(() => r.register(handler('b', 'undo-a'))).toThrow(DuplicateHandlerError);
    expect(() => r.register({ command: 'c', compensation: 'undo-c', execute: async () => success() })).toThrow(InvalidParticipantOptionsError);
  });

  it('checks an execute input against the inputSchema and lists every problem', () => {
    const r = new HandlerRegistry();
    const h = handler('quote', undefined, { inputSchema: { type: 'object', required: ['kg'], properties: { kg: { type: 'number' }, to: { type: 'string' } } } });
    r.register(h);
    expect(r.inputProblems(h, { kg: 2 })).toBeUndefined();
    expect(r.inputProblems(h, { to: 7 })).toBe("(input) must have required property 'kg'; /to must be string");
    expect(() => r.register(handler('bad', undefined, { inputSchema: { type: 'no-such-type' } }))).toThrow(/not a valid JSON Schema/);
  });
});
