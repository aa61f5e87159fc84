import { auditJson, canonicalJson, GENESIS_HASH, hashRow, type HashedFields } from './audit-hash';

const row: HashedFields = {
  seq: 1,
  occurredAt: new Date('2030-01-01T00:00:00.123Z'),
  actorId: null,
  actorEmail: 'a@example.test',
  action: 'user.ban',
  targetType: 'user',
  targetId: 'u1',
  outcome: 'succeeded',
  reason: 'fraud',
  details: null,
  before: { status: 'active' },
  after: { status: 'banned', canceledJobs: ['j1'] },
  ip: '127.0.0.1',
  userAgent: 'ua',
  requestId: 'r1',
  prevHash: GENESIS_HASH,
};

describe('the audit hash', () => {
  it('encodes objects with their keys sorted at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });

  it('hashes a row the same whatever order its JSON keys come back in', () => {
    const reordered = { ...row, after: { canceledJobs: ['j1'], status: 'banned' } };
    expect(hashRow(reordered)).toBe(hashRow(row));
  });

  it('changes the hash when any field or the previous hash changes', () => {
    const base = hashRow(row);
    expect(hashRow({ ...row, reason: 'fraud!' })).not.toBe(base);
    expect(hashRow({ ...row, after: { status: 'active', canceledJobs: ['j1'] } })).not.toBe(base);
    expect(hashRow({ ...row, prevHash: 'f'.repeat(64) })).not.toBe(base);
    expect(hashRow({ ...row, seq: 2 })).not.toBe(base);
  });

  it('keeps secrets out of what is recorded, at any depth', () => {
    expect(
      auditJson({
        email: 'x',
        password: 'p',
        nested: { refreshToken: 't', passwordHash: 'h', ok: 1 },
      }),
    ).toEqual({ email: 'x', nested: { ok: 1 } });
  });

  it('records plain JSON: dates as strings, undefined dropped', () => {
    expect(auditJson({ at: new Date('2030-01-01T00:00:00Z'), gone: undefined })).toEqual({
      at: '2030-01-01T00:00:00.000Z',
    });
    expect(auditJson(undefined)).toBeNull();
  });
});
