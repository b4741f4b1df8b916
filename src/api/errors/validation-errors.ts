// class-validator's nested errors, flattened into one field error per broken rule,
// each named by its dotted path (`filter.status`, `sagaIds.3`).
import type { ValidationError } from 'class-validator';
import { FieldError, RequestValidationError } from './api-errors';

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children && e.children.length > 0) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** The ValidationPipe's exceptionFactory. */
export function validationException(errors: ValidationError[]): RequestValidationError {
  return new RequestValidationError(flattenValidationErrors(errors));
}
