/**
 * The saga coordinator's pure core: definitions and the state machine. No I/O,
 * no framework, no clock or randomness of its own — see DESIGN.md ("core/") and
 * the header of each file. The protocol types and JSON values it speaks live in
 * @saga-coordinator/participant/protocol (shared with the participant SDK) and
 * are re-exported here.
 *
 * Internal modules (decision-draft, forward-flow, compensation-flow,
 * operator-actions) are reachable only through `decide`.
 */
export * from './canonical-json';
export * from './errors';
export * from '@saga-coordinator/participant/protocol';
export * from './retry-policy';
export * from './saga-definition';
export * from './definition-validation';
export * from './definition-normalization';
export * from './saga-definition.builder';
export * from './input-mapping';
export * from './step-condition';
export * from './concurrency';
export * from './definition-versions';
export * from './saga-status';
export * from './saga-state';
export * from './saga-events';
export * from './saga-effects';
export * from './decision';
export * from './timers';
export { decide, type DecideContext } from './decide';
