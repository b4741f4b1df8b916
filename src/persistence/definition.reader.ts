// Reads a stored normalized definition (saga_definitions.normalized) into the core's
// NormalizedSagaDefinition, upgrading versions registered by an earlier release with the
// behaviour they were registered with. Never cast a stored definition; read it here.
//
// Formats: 1 (no `format` field, count-only retries); 2 adds retry windows, which a
// format-1 version gets as 0 (count only), as it behaved when it was registered; 3 adds
// the saga `output` mapping, step `when` conditions and `concurrencyKey`, null (none) for earlier versions.
import { InvalidArgumentError } from '../core/errors';
import { isPlainObject } from '@saga-coordinator/participant/protocol';
import { NORMALIZED_DEFINITION_FORMAT, type NormalizedSagaDefinition } from '../core/saga-definition';

type Upgrade = (def: Record<string, unknown>) => Record<string, unknown>;

const UPGRADES: Record<number, Upgrade> = {
  1: (def) => ({
    ...def,
    format: 2,
    minCompensationWindowMs: 0,
    stages: (def.stages as Record<string, unknown>[]).map((stage) => ({
      ...stage,
      steps: (stage.steps as Record<string, unknown>[]).map((step) => ({ ...step, retry: { ...(step.retry as object), minRetryWindowMs: 0 } })),
    })),
  }),
  2: (def) => ({
    ...def,
    format: 3,
    output: null,
    concurrencyKey: null,
    stages: (def.stages as Record<string, unknown>[]).map((stage) => ({
      ...stage,
      steps: (stage.steps as Record<string, unknown>[]).map((step) => ({ ...step, when: null })),
    })),
  }),
};

export function readNormalizedDefinition(stored: unknown, ref: string): NormalizedSagaDefinition {
  if (!isPlainObject(stored)) throw unreadable(ref, 'is not a JSON object');
  let def: Record<string, unknown> = stored;
  const format: unknown = def.format ?? 1;
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1 || format > NORMALIZED_DEFINITION_FORMAT) {
    throw unreadable(ref, `has unknown format ${JSON.stringify(format)} (this release reads 1 to ${NORMALIZED_DEFINITION_FORMAT})`);
  }
  if (typeof def.name !== 'string' || !Array.isArray(def.stages) || def.stages.length === 0) throw unreadable(ref, 'has no name or stages');
  for (const stage of def.stages) {
    if (!isPlainObject(stage) || !Array.isArray(stage.steps) || stage.steps.length === 0) throw unreadable(ref, 'has a stage without steps');
    for (const step of stage.steps) if (!isPlainObject(step) || typeof step.name !== 'string' || !isPlainObject(step.retry)) throw unreadable(ref, 'has a malformed step');
  }
  for (let f = format as number; f < NORMALIZED_DEFINITION_FORMAT; f = def.format as number) def = UPGRADES[f](def);
  return def as unknown as NormalizedSagaDefinition;
}

function unreadable(ref: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError('stored definition', `${ref} ${what}`);
}
