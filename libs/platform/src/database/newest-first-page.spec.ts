import { positionCursor, readPositionCursor } from './newest-first-page';

describe('position cursors', () => {
  const row = {
    id: '3f1c2a4e-9b7d-4a2b-8c4d-1e2f3a4b5c6d',
    createdAt: new Date(1_790_000_000_123),
  };

  it('read back the position they were written from, and look like no id', () => {
    const cursor = positionCursor(row);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(row.id);
    expect(cursor.length).toBeLessThanOrEqual(200); // PageQueryDto's cursor limit
    expect(readPositionCursor(cursor)).toEqual(row);
  });

  it('refuse what no page wrote: an id, garbage, a bad date, a bad id, extra parts', () => {
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [
      row.id,
      'not-a-cursor',
      '',
      encode(`2026-13-01T00:00:00.000Z|${row.id}`),
      encode(`yesterday|${row.id}`),
      encode(`${row.createdAt.toISOString()}|not-a-uuid`),
      encode(`${row.createdAt.toISOString()}|${row.id}|more`),
      encode(row.createdAt.toISOString()),
      // Dates JavaScript writes back but PostgreSQL cannot hold (a 500 before), or no page wrote.
      encode(`-271821-04-20T00:00:00.000Z|${row.id}`),
      encode(`-004714-01-01T00:00:00.000Z|${row.id}`),
      encode(`+200000-01-01T00:00:00.000Z|${row.id}`),
      encode(`1969-12-31T23:59:59.999Z|${row.id}`),
    ])
      expect({ cursor, read: readPositionCursor(cursor) }).toEqual({ cursor, read: null });
  });
});
