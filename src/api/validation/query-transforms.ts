// Query strings arrive as text: these turn them into the types the DTOs validate,
// leaving anything unexpected as it is so that validation reports it.

export const toInteger = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);

/** `?status=A&status=B` and `?status=A,B` both become ['A', 'B']. */
export const toStringList = ({ value }: { value: unknown }): unknown => {
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((v) => typeof v === 'string')) return value;
  return (items as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
};

export const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * A calendar date or a date-time with an optional offset, as PostgreSQL parses it.
 * Narrower than ISO 8601 on purpose: week and ordinal dates pass class-validator's
 * IsISO8601 but not PostgreSQL, and so do UTC offsets beyond PostgreSQL's ±15:59.
 */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-5])(:?[0-5]\d)?)?)?$/;
