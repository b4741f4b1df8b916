// The OpenAPI schema of a saga definition document (request body of POST /v1/definitions).
// The normative validation is the core's (definition-validation.ts), which reports
// every problem with its path and also checks what a schema cannot (unique names, one
// pivot, input references); this schema documents the shape for API clients. Its
// defaults are the core's constants, and a test holds its properties and its verdicts
// to the core's, so the two cannot drift apart.
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { DEFAULT_RETRY_POLICY } from '../../core/retry-policy';
import { DEFINITION_DEFAULTS, IDENTIFIER_PATTERN } from '../../core/saga-definition';

const NAME = { type: 'string', pattern: IDENTIFIER_PATTERN.source };

const STEP: SchemaObject = {
  type: 'object',
  required: ['name', 'participant', 'command'],
  additionalProperties: false,
  properties: {
    name: NAME,
    participant: NAME,
    command: NAME,
    compensation: { ...NAME, description: 'command that undoes the step; not allowed after the pivot' },
    pivot: { type: 'boolean', default: false },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, description: `attempts, the first included; default ${DEFAULT_RETRY_POLICY.maxAttempts}; after the pivot, the definition's maxForwardAttempts (default ${DEFINITION_DEFAULTS.maxForwardAttempts})` },
        initialBackoffMs: { type: 'integer', minimum: 1, default: DEFAULT_RETRY_POLICY.initialBackoffMs },
        maxBackoffMs: { type: 'integer', minimum: 1, default: DEFAULT_RETRY_POLICY.maxBackoffMs, description: 'must be >= initialBackoffMs' },
        multiplier: { type: 'number', minimum: 1, default: DEFAULT_RETRY_POLICY.multiplier },
        jitter: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_RETRY_POLICY.jitter },
        minRetryWindowMs: { type: 'integer', minimum: 0, default: DEFAULT_RETRY_POLICY.minRetryWindowMs, description: 'attempts go on at least this long after the first, whatever the count; 0 = count only' },
      },
    },
    timeoutMs: { type: 'integer', minimum: 1, default: DEFINITION_DEFAULTS.timeoutMs },
    input: { description: `input mapping template, e.g. { "amount": "$.input.amount" }; default "${DEFINITION_DEFAULTS.input}"` },
  },
};

const PARALLEL_GROUP: SchemaObject = {
  type: 'object',
  required: ['parallel'],
  additionalProperties: false,
  properties: { name: NAME, parallel: { type: 'array', minItems: 2, items: STEP } },
};

export const DEFINITION_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['name', 'steps'],
  additionalProperties: false,
  description: 'A saga definition (docs/sagas.md). Every problem of an invalid document is listed in the 400 answer.',
  properties: {
    name: NAME,
    description: { type: 'string' },
    inputSchema: { type: 'object', description: 'JSON Schema the saga input must match' },
    deadlineMs: { type: 'integer', minimum: 1 },
    maxCompensationAttempts: { type: 'integer', minimum: 1, default: DEFINITION_DEFAULTS.maxCompensationAttempts },
    minCompensationWindowMs: { type: 'integer', minimum: 0, default: DEFINITION_DEFAULTS.minCompensationWindowMs },
    maxForwardAttempts: { type: 'integer', minimum: 1, default: DEFINITION_DEFAULTS.maxForwardAttempts },
    steps: { type: 'array', minItems: 1, items: { oneOf: [STEP, PARALLEL_GROUP] } },
  },
  example: {
    name: 'order',
    steps: [
      { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel' },
      { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', input: { orderId: '$.steps.createOrder.output.orderId', amount: '$.input.amount' } },
      { name: 'ship', participant: 'shipping', command: 'shipment.create', pivot: true },
    ],
  },
};
