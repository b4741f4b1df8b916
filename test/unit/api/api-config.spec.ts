// The API's environment variables: API_KEYS parsing and the checks loadConfig makes.
import { createHash } from 'node:crypto';
import { hashApiKey, parseApiKeyList } from '../../../src/config/api-key-list';
import { loadConfig } from '../../../src/config/app-config';
import { configProblems as problemsOf } from '../../support/config-problems';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');


describe('API_KEYS', () => {
  it('parses name:role:key entries into names, roles and hashes, never keeping the key', () => {
    const parsed = parseApiKeyList(' ci:operator:0123456789abcdefghij , dash:viewer:sha256:' + sha('x'.repeat(30)).toUpperCase());
    expect(parsed).toEqual({
      ok: true,
      keys: [
        { name: 'ci', role: 'operator', keyHash: sha('0123456789abcdefghij') },
        { name: 'dash', role: 'viewer', keyHash: sha('x'.repeat(30)) },
      ],
    });
    expect(hashApiKey('abc')).toBe(sha('abc'));
  });

  it.each([
    ['ops', 'entry 1 must be name:role:key'],
    ['ops:admin', 'entry 1 must be name:role:key'],
    ['-ops:admin:0123456789abcdefghij', 'entry 1: the name must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit'],
    ['ops:root:0123456789abcdefghij', 'entry 1 (ops): the role must be one of viewer, operator, admin'],
    ['ops:admin:short', 'entry 1 (ops): the key must be 20-512 characters of letters, digits and ._~+/=- (e.g. from `openssl rand -hex 32`), or sha256:<64 hex digits>'],
    ['ops:admin:sha256:abc', 'entry 1 (ops): the key must be 20-512 characters of letters, digits and ._~+/=- (e.g. from `openssl rand -hex 32`), or sha256:<64 hex digits>'],
    ['a:admin:0123456789abcdefghij,a:viewer:0123456789abcdefghik', 'the name a is used twice'],
    ['a:admin:0123456789abcdefghij,b:viewer:0123456789abcdefghij', 'two entries have the same key'],
  ])('refuses %s', (value, message) => {
    const parsed = parseApiKeyList(value);
    expect(parsed).toEqual({ ok: false, problems: [message] });
  });

  it('reports bad entries under API_KEYS without repeating any key', () => {
    const secret = 'super-secret-value-00000';
    const problems = problemsOf({ API_KEYS: `ops:root:${secret},x:admin:tiny` });
    expect(problems.map((p) => p.variable)).toEqual(['API_KEYS', 'API_KEYS']);
    expect(JSON.stringify(problems)).not.toContain(secret);
    expect(JSON.stringify(problems)).not.toContain('tiny');
  });

  it('exposes the parsed keys on the config', () => {
    expect(loadConfig({ API_KEYS: 'ops:admin:0123456789abcdefghij' }).apiKeys).toEqual([{ name: 'ops', role: 'admin', keyHash: sha('0123456789abcdefghij') }]);
    expect(loadConfig({}).apiKeys).toEqual([]);
  });
});

describe('the other API variables', () => {
  it('has safe defaults: keys required, a 1mb body limit, docs served', () => {
    const config = loadConfig({});
    expect(config.API_AUTH).toBe('keys');
    expect(config.API_BODY_LIMIT).toBe('1mb');
    expect(config.API_DOCS).toBe(true);
  });

  it('allows API_AUTH=disabled only on a loopback HTTP_HOST, and not together with API_KEYS', () => {
    expect(loadConfig({ API_AUTH: 'disabled', HTTP_HOST: '127.0.0.1' }).API_AUTH).toBe('disabled');
    expect(loadConfig({ API_AUTH: 'disabled', HTTP_HOST: 'localhost' }).API_AUTH).toBe('disabled');
    expect(problemsOf({ API_AUTH: 'disabled' })).toEqual([
      { variable: 'API_AUTH', message: 'API_AUTH=disabled is only allowed with a loopback HTTP_HOST (127.0.0.1, localhost or ::1), got HTTP_HOST=0.0.0.0' },
    ]);
    expect(problemsOf({ API_AUTH: 'disabled', HTTP_HOST: '::1', API_KEYS: 'a:admin:0123456789abcdefghij' })).toEqual([
      { variable: 'API_AUTH', message: 'API_AUTH=disabled contradicts API_KEYS: unset one of them' },
    ]);
  });

  it.each([
    ['API_AUTH', 'off', /must be one of keys, disabled/],
    ['API_BODY_LIMIT', 'huge', /must be a size such as 512kb or 1mb/],
    ['API_BODY_LIMIT', '1gb', /must be a size such as 512kb or 1mb/],
    ['API_DOCS', 'perhaps', /must be true or false/],
  ])('rejects %s=%s with a message naming the variable', (variable, value, message) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].variable).toBe(variable);
    expect(problems[0].message).toMatch(message);
  });
});
