// Optional fields of request bodies are omitted, not null. class-validator's IsOptional
// skips the rules for null too, which let `{"status": null}` through as "no filter" to
// code that then read it as a value; with IfPresent a null meets the field's rules and
// is refused by them.
import { ValidateIf } from 'class-validator';

export const IfPresent = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
