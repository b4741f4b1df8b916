// The saga list's cursor and SQL (pure).
import { decodeCursor, encodeCursor } from '../../../src/api/sagas/saga-list-cursor';
import { listSagasQuery } from '../../../src/persistence/saga-instance-query.repository';

describe('saga list cursor', () => {
  const position = { createdAt: '2026-05-01T12:00:00.123456Z', sagaId: '2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21' };

  it('round-trips a position, microseconds included', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an object', Buffer.from(JSON.stringify(position)).toString('base64url')],
    ['milliseconds only', encodeCursor({ ...position, createdAt: '2026-05-01T12:00:00.123Z' })],
    ['an id that is not a UUID', encodeCursor({ ...position, sagaId: "x' or 1=1" })],
    ['too long', 'a'.repeat(201)],
  ])('refuses %s', (_, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('listSagasQuery', () => {
  it('without filters: newest first, limited', () => {
    const q = listSagasQuery({}, undefined, 51);
    expect(q.text).not.toMatch(/where/);
    expect(q.text).toMatch(/order by created_at desc, saga_id desc\n limit \$1$/);
    expect(q.values).toEqual([51]);
  });

  it('binds every filter and the keyset position as parameters, never as text', () => {
    const q = listSagasQuery(
      { definition: "order'; drop table x", statuses: ['FAILED', 'RUNNING'], businessKey: 'bk', sagaIds: ['a'], createdFrom: '2026-01-01', createdTo: '2026-02-01' },
      { createdAt: '2026-01-15T00:00:00.000001Z', sagaId: 'id' },
      10,
    );
    expect(q.text).toContain(' where definition_name = $1\n   and status = any($2::text[])\n   and business_key = $3\n   and saga_id = any($4::uuid[])');
    expect(q.text).toContain('and created_at >= $5::timestamptz\n   and created_at < $6::timestamptz\n   and (created_at, saga_id) < ($7::timestamptz, $8::uuid)');
    expect(q.text).not.toContain('drop table');
    expect(q.values).toEqual(["order'; drop table x", ['FAILED', 'RUNNING'], 'bk', ['a'], '2026-01-01', '2026-02-01', '2026-01-15T00:00:00.000001Z', 'id', 10]);
  });
});
