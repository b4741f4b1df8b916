// Where a request carries its API key (pure).
import { presentedKey } from '../../../src/api/auth/api-key.guard';
import { roleAllows } from '../../../src/api/auth/principal';

describe('presentedKey', () => {
  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer   abc  ' }, 'abc'],
    [{ 'x-api-key': ' abc ' }, 'abc'],
    [{ authorization: 'Bearer abc', 'x-api-key': 'other' }, 'abc'],
    [{ authorization: 'Basic YTpi' }, ''],
    [{ authorization: 'Bearer a b' }, ''],
    [{}, undefined],
    [{ authorization: '  ', 'x-api-key': '' }, undefined],
  ])('%j -> %j', (headers, expected) => {
    expect(presentedKey({ headers })).toBe(expected);
  });
});

describe('roleAllows', () => {
  it('orders the roles viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
  });
});
