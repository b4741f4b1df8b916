// Every error class the API can meet, mapped to a problem document (pure).
import { BadRequestException, MethodNotAllowedException, NotFoundException } from '@nestjs/common';
import { ConcurrentUpdateError, DatabaseUnavailableError, DefinitionNotFoundError, EngineUnavailableError, InvalidSagaInputError, OperationRejectedError, SagaNotFoundError } from '../../../src/coordinator/coordinator-errors';
import { CorruptStateError, IllegalTransitionError, InvalidDefinitionError } from '../../../src/core/errors';
import { ApiKeyMissingError, RequestValidationError, RoleForbiddenError } from '../../../src/api/errors/api-errors';
import { DOMAIN_ERROR_STATUS, mapErrorToProblem } from '../../../src/api/errors/problem-mapping';

describe('mapErrorToProblem', () => {
  it('gives every rejection code of the core a status: 409 for state conflicts', () => {
    for (const code of ['SAGA_FINISHED', 'SAGA_NOT_CANCELLABLE', 'SAGA_NOT_FAILED', 'STEP_NOT_RETRYABLE', 'NOTHING_TO_RETRY', 'STEP_NOT_OVERRIDABLE', 'SAGA_QUARANTINED'] as const) {
      const { problem, unexpected } = mapErrorToProblem(new OperationRejectedError(code, 'no', { sagaId: 's', step: 'a' }), '/v1/x');
      expect({ code, problem, unexpected }).toEqual({
        code,
        unexpected: false,
        problem: { type: `urn:saga-coordinator:problem:${code.toLowerCase().replace(/_/g, '-')}`, title: 'Conflict', status: 409, detail: 'no', code, sagaId: 's', step: 'a', instance: '/v1/x' },
      });
    }
    expect(DOMAIN_ERROR_STATUS.UNKNOWN_STEP).toBe(404);
    expect(DOMAIN_ERROR_STATUS.REASON_REQUIRED).toBe(400);
  });

  it('maps not-found and invalid-input errors with their field errors', () => {
    expect(mapErrorToProblem(new SagaNotFoundError('s-1')).problem).toMatchObject({ status: 404, code: 'SAGA_NOT_FOUND', sagaId: 's-1' });
    expect(mapErrorToProblem(new DefinitionNotFoundError('order', 3)).problem).toMatchObject({ status: 404, code: 'DEFINITION_NOT_FOUND' });
    expect(mapErrorToProblem(new InvalidSagaInputError('order', [{ path: '/amount', message: 'must be number' }, { path: '', message: "must have required property 'id'" }])).problem).toMatchObject({
      status: 400,
      code: 'INVALID_SAGA_INPUT',
      errors: [
        { field: 'input/amount', message: 'must be number' },
        { field: 'input', message: "must have required property 'id'" },
      ],
    });
    expect(mapErrorToProblem(new InvalidDefinitionError([{ path: '', message: 'must be an object' }, { path: 'steps[0].name', message: 'is required' }])).problem.errors).toEqual([
      { field: '(document)', message: 'must be an object' },
      { field: 'steps[0].name', message: 'is required' },
    ]);
  });

  it('treats core errors that mean a bug as a bare 500, their message kept out of the answer', () => {
    for (const err of [new IllegalTransitionError('saga', 'COMPLETED', 'RUNNING', { sagaId: 's' }), new CorruptStateError('steps missing')]) {
      const { problem, unexpected } = mapErrorToProblem(err);
      expect(unexpected).toBe(true);
      expect(problem).toEqual({ type: 'urn:saga-coordinator:problem:internal-error', title: 'Internal Server Error', status: 500, detail: 'an unexpected error occurred; it has been logged', code: 'INTERNAL_ERROR' });
    }
  });

  it('never sends the message of an unknown error, such as a SQL error', () => {
    const sqlError = Object.assign(new Error('relation "saga_instances" does not exist'), { code: '42P01' });
    const { problem, unexpected } = mapErrorToProblem(sqlError);
    expect(unexpected).toBe(true);
    expect(JSON.stringify(problem)).not.toMatch(/relation|saga_instances|42P01/);
    expect(mapErrorToProblem('a string').problem.status).toBe(500);
  });

  it('answers 503 with Retry-After when a dependency is down', () => {
    for (const err of [
      Object.assign(new Error('Connection terminated'), { code: '57P01' }),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('broker down'), { retriable: true }),
      new EngineUnavailableError('the start'),
      new ConcurrentUpdateError('s-1'),
      new DatabaseUnavailableError('postgres://127.0.0.1/x', new Error('ECONNREFUSED')),
    ]) {
      const { problem, headers } = mapErrorToProblem(err);
      expect(problem).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(problem.detail).not.toContain(err.message);
      expect(headers).toEqual({ 'Retry-After': '1' });
    }
  });

  it('maps the API errors with their status, headers and extensions', () => {
    const missing = mapErrorToProblem(new ApiKeyMissingError());
    expect(missing.problem).toMatchObject({ status: 401, code: 'API_KEY_MISSING' });
    expect(missing.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="saga-coordinator"' });
    expect(mapErrorToProblem(new RoleForbiddenError('viewer', 'admin')).problem).toMatchObject({ status: 403, code: 'FORBIDDEN', requiredRole: 'admin' });
    expect(mapErrorToProblem(new RequestValidationError([{ field: 'a', message: 'b' }])).problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'a', message: 'b' }] });
  });

  it("maps the router's and the body parser's errors", () => {
    expect(mapErrorToProblem(new NotFoundException('Cannot GET /x')).problem).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(mapErrorToProblem(new BadRequestException('Unexpected token } in JSON')).problem).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(mapErrorToProblem(new MethodNotAllowedException()).problem).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(mapErrorToProblem(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 })).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(mapErrorToProblem(Object.assign(new Error('unsupported charset'), { type: 'charset.unsupported', status: 415 })).problem).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
