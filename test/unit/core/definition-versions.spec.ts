import { assertDeletable, DefinitionVersionDeprecatedError, DefinitionVersionInUseError, startVersion, versionUsageBucket } from '../../../src/core';

const v = (version: number, deprecated = false, deleted = false) => ({ version, deprecated, deleted });

describe('retiring definition versions', () => {
  it('starts without a version on the latest version neither deprecated nor deleted', () => {
    expect(startVersion('x', [v(1), v(2), v(3, true)])).toBe(2);
    expect(startVersion('x', [v(1), v(2, false, true)])).toBe(1);
    expect(startVersion('x', [v(1, true)])).toBeNull();
    expect(startVersion('x', [])).toBeNull();
  });

  it('starts a named version unless it is deprecated (refused with the stable code) or deleted (not found)', () => {
    expect(startVersion('x', [v(1), v(2)], 1)).toBe(1);
    expect(startVersion('x', [v(1, false, true), v(2)], 1)).toBeNull();
    expect(startVersion('x', [v(1)], 9)).toBeNull();
    expect(() => startVersion('x', [v(1, true), v(2)], 1)).toThrow(DefinitionVersionDeprecatedError);
    expect(() => startVersion('x', [v(1, true), v(2)], 1)).toThrow(expect.objectContaining({ code: 'DEFINITION_VERSION_DEPRECATED', retriable: false, latest: 2 }));
  });

  it('counts QUEUED, RUNNING and COMPENSATING as running, FAILED apart, the ends as finished', () => {
    expect(['QUEUED', 'RUNNING', 'COMPENSATING', 'FAILED', 'COMPLETED', 'COMPENSATED'].map(versionUsageBucket)).toEqual(['running', 'running', 'running', 'failed', 'finished', 'finished']);
  });

  it('deletes only a version whose every saga has ended', () => {
    expect(() => assertDeletable('x', 1, { running: 0, failed: 0 })).not.toThrow();
    expect(() => assertDeletable('x', 1, { running: 0, failed: 1 })).toThrow(DefinitionVersionInUseError);
    expect(() => assertDeletable('x', 1, { running: 2, failed: 0 })).toThrow(expect.objectContaining({ code: 'DEFINITION_VERSION_IN_USE', notEnded: 2 }));
  });
});
