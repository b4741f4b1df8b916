// PostgreSQL text and jsonb cannot hold a NUL character or a lone UTF-16 surrogate (it
// refuses the whole statement). Text that only describes something — a dead letter's
// excerpt, a reason — is made storable here; data a saga depends on is refused at the
// edge instead (protocol validation, API validation), never altered.
// eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL refuses
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

export function storableTextOrNull(text: string | null): string | null {
  return text === null ? null : storableText(text);
}
