// Stored documents written by the first release (fixtures captured from it) are read by this
// one: a running saga continues where it was, a registered version keeps its behaviour.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide } from '../../../src/core/decide';
import { CorruptStateError } from '../../../src/core/errors';
import { NORMALIZED_DEFINITION_FORMAT } from '../../../src/core/saga-definition';
import { SAGA_STATE_FORMAT } from '../../../src/core/saga-state';
import { readNormalizedDefinition } from '../../../src/persistence/definition.reader';
import { readSagaState } from '../../../src/persistence/saga-state.reader';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/stored-rows', name), 'utf8'));
const SAGA_ID = '6f1c2a9e-1b2c-4d3e-8f40-5a6b7c8d9e01';

describe('stored rows of the first release', () => {
  it('a format-1 definition reads with count-only retries, as it was registered', () => {
    const def = readNormalizedDefinition(fixture('definition.format-1.json'), 'order v1');
    expect(def.format).toBe(NORMALIZED_DEFINITION_FORMAT);
    expect(def.minCompensationWindowMs).toBe(0);
    // Registered before outputs and conditions existed: no output, every step runs.
    expect(def.output).toBeNull();
    expect(def.stages.flatMap((s) => s.steps).map((s) => s.when)).toEqual([null, null, null, null]);
    expect(def.stages.flatMap((s) => s.steps).map((s) => s.retry.minRetryWindowMs)).toEqual([0, 0, 0, 0]);
    expect(def.stages[0].steps[0].retry.maxAttempts).toBe(3);
  });

  it('a format-1 running saga reads as the current format and continues', () => {
    const def = readNormalizedDefinition(fixture('definition.format-1.json'), 'order v1');
    const state = readSagaState(fixture('saga-state.format-1.running.json'), SAGA_ID);
    expect(state.format).toBe(SAGA_STATE_FORMAT);
    expect(state.steps.reserve).toMatchObject({ status: 'SUCCEEDED', budgetStartedAt: state.steps.reserve.startedAt });
    expect(state.steps.charge.status).toBe('RETRY_WAIT');
    // The backoff of charge elapses: attempt 2 goes out; then charge and notify succeed and the pivot starts.
    let d = decide(state, def, { type: 'BackoffElapsed', step: 'charge', action: 'execute', attempt: 2 }, { now: state.updatedAt + 1_000, random: () => 0 });
    expect(d.verdict.kind).toBe('applied');
    expect(d.effects).toContainEqual(expect.objectContaining({ type: 'SendCommand', step: 'charge', attempt: 2 }));
    d = decide(d.state, def, { type: 'StepReplied', step: 'charge', action: 'execute', attempt: 2, outcome: 'success' }, { now: state.updatedAt + 1_100, random: () => 0 });
    d = decide(d.state, def, { type: 'StepReplied', step: 'notify', action: 'execute', attempt: 1, outcome: 'success' }, { now: state.updatedAt + 1_200, random: () => 0 });
    expect(d.effects).toContainEqual(expect.objectContaining({ type: 'SendCommand', step: 'ship' }));
  });

  it('a format-2 state (before saga outputs) reads as the current format with output null', () => {
    const state = readSagaState(fixture('saga-state.format-1.running.json'), SAGA_ID);
    const { output: _none, ...format2 } = { ...state, format: 2 };
    const read = readSagaState(format2, SAGA_ID);
    expect(read).toEqual({ ...state, output: null });
  });

  it('refuses a state of an unknown format, of another saga, or with an unknown status, naming the saga', () => {
    const state = fixture('saga-state.format-1.running.json') as Record<string, unknown>;
    expect(() => readSagaState({ ...state, format: 99 }, SAGA_ID)).toThrow(CorruptStateError);
    expect(() => readSagaState({ ...state, format: 99 }, SAGA_ID)).toThrow(/unknown format 99/);
    expect(() => readSagaState(state, '00000000-0000-4000-8000-000000000000')).toThrow(/belongs to saga/);
    expect(() => readSagaState({ ...state, status: 'DANCING' }, SAGA_ID)).toThrow(/unknown status "DANCING"/);
    expect(() => readSagaState('not json', SAGA_ID)).toThrow(/not a JSON object/);
  });
});
