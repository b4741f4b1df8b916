import fc from 'fast-check';
import { LIFECYCLE_EVENT_TYPES } from '@saga-coordinator/participant/protocol';
import { loadConfig } from '../../../src/config/app-config';
import { parseLifecycleEventSelection } from '../../../src/config/lifecycle-event-selection';

describe('LIFECYCLE_EVENTS', () => {
  it('publishes every lifecycle event by default', () => {
    expect(loadConfig({}).lifecycleEventTypes).toEqual([...LIFECYCLE_EVENT_TYPES]);
  });

  it('takes groups and types together, in the protocol order, each once', () => {
    expect(loadConfig({ LIFECYCLE_EVENTS: ' step.failed, saga.* ,saga.completed' }).lifecycleEventTypes).toEqual(['saga.started', 'step.failed', 'saga.compensating', 'saga.completed', 'saga.compensated', 'saga.failed']);
    expect(parseLifecycleEventSelection('step.*')).toEqual({ ok: true, types: LIFECYCLE_EVENT_TYPES.filter((t) => t.startsWith('step.')) });
    expect(parseLifecycleEventSelection('none')).toEqual({ ok: true, types: [] });
  });

  it('selects exactly the listed types, whatever the list', () => {
    fc.assert(
      fc.property(fc.subarray([...LIFECYCLE_EVENT_TYPES], { minLength: 1 }), (chosen) => {
        const parsed = parseLifecycleEventSelection(chosen.join(','));
        expect(parsed).toEqual({ ok: true, types: LIFECYCLE_EVENT_TYPES.filter((t) => chosen.includes(t)) });
      }),
    );
  });

  it('names every entry it cannot read', () => {
    expect(parseLifecycleEventSelection('saga.started,step.begun,,Saga.completed')).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^'step.begun' is not/), expect.stringMatching(/^an empty entry is not/), expect.stringMatching(/^'Saga.completed' is not/)],
    });
  });
});
