import { redactSubmitted, submittedValues, withoutSubmittedValues } from '../../../src/api/errors/submitted-values';

describe('error texts never echo submitted values', () => {
  it('collects every string of the body, the query and the headers, at any depth', () => {
    const body = JSON.parse('{"a":' + '['.repeat(10_000) + '"deep"' + ']'.repeat(10_000) + ',"b":{"c":"x","n":1}}');
    expect(submittedValues({ body, query: { q: ['y', 'z'] }, headers: { 'idempotency-key': 'k-1', 'x-many': ['h1', 'h2'] } }).sort()).toEqual(['deep', 'h1', 'h2', 'k-1', 'x', 'y', 'z']);
  });

  it('replaces quoted values of any length, words quoted from inside a value, and long values anywhere', () => {
    expect(redactSubmitted("no saga definition named 'x'", ['x'])).toBe("no saga definition named '…'");
    expect(redactSubmitted("'$.steps.ghost.output': there is no step 'ghost'", ['$.steps.ghost.output'])).toBe("'…': there is no step '…'");
    expect(redactSubmitted('got text/secret-value-1', ['text/secret-value-1'])).toBe('got …');
  });

  it('leaves the words of the message alone', () => {
    // Short values are only redacted where the message quotes them whole.
    expect(redactSubmitted("'9b' must contain only letters, digits, '_', '.' or '-'", ['a', 'the', '9b', 'must'])).toBe("'…' must contain only letters, digits, '_', '.' or '-'");
    expect(redactSubmitted("the saga's step 'charge' is not waiting", ['other-value'])).toBe("the saga's step 'charge' is not waiting");
  });

  it('scrubs the detail and every field message of a problem, never the field names', () => {
    const problem = { type: 't', title: 'Bad Request', status: 400, code: 'INVALID_DEFINITION', detail: "invalid saga definition 'secret'", errors: [{ field: 'name', message: "'secret' must start with a letter" }] };
    expect(withoutSubmittedValues(problem, ['secret'])).toEqual({ ...problem, detail: "invalid saga definition '…'", errors: [{ field: 'name', message: "'…' must start with a letter" }] });
  });

  it('leaves out an extension member that is a submitted value, and keeps the others', () => {
    const problem = { type: 't', title: 'Not Found', status: 404, code: 'UNKNOWN_STEP', detail: "saga has no step 'typo-step'", sagaId: 'id-1', step: 'typo-step' };
    expect(withoutSubmittedValues(problem, ['typo-step', 'a reason'])).toEqual({ type: 't', title: 'Not Found', status: 404, code: 'UNKNOWN_STEP', detail: "saga has no step '…'", sagaId: 'id-1' });
  });
});
