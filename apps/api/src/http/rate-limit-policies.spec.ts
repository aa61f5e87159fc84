import { parseList } from 'structured-headers';
import { loadApiConfig } from '../api.config';
import {
  closestToLimit,
  limitsFor,
  policyTable,
  rateLimitField,
  rateLimitPolicyField,
  type PolicyState,
} from './rate-limit-policies';

const state = (overrides: Partial<PolicyState>): PolicyState => ({
  name: 'default',
  unit: 'request',
  quota: 10,
  windowSeconds: 60,
  remaining: 5,
  resetSeconds: 30,
  exceeded: false,
  ...overrides,
});

describe('rate-limit policies', () => {
  it('reads every policy from the configuration', () => {
    const table = policyTable(
      loadApiConfig({ SUBMIT_RATE_LIMIT_MAX: '7', UPLOAD_RATE_LIMIT_BYTES: '5000' }),
    );
    expect(table.rate.submit).toEqual({ quota: 7, windowMs: 60_000 });
    expect(table.rate['upload-bytes']).toEqual({ quota: 5000, windowMs: 3_600_000 });
    expect(table.concurrency).toEqual({ expensive: 4, downloads: 16, sse: 10 });
  });

  it("lets a caller's own limits (an API key's plan) override the configured ones", () => {
    const table = policyTable(loadApiConfig({}));
    const limits = limitsFor(table, {
      key: 'key:k1',
      overrides: { rate: { submit: { quota: 1000, windowMs: 1000 } }, concurrency: { sse: 1 } },
    });
    expect(limits.rate.submit).toEqual({ quota: 1000, windowMs: 1000 });
    expect(limits.rate.default).toEqual(table.rate.default);
    expect(limits.concurrency).toEqual({ ...table.concurrency, sse: 1 });
    expect(limitsFor(table, { key: 'user:u1' })).toBe(table);
  });

  it('names the policy closest to its limit: an exceeded one, else the smallest share left', () => {
    const rate = state({ name: 'submit', quota: 30, remaining: 20 });
    const slots = state({ name: 'expensive', unit: 'concurrent-requests', quota: 4, remaining: 1 });
    expect(closestToLimit([rate, slots])?.name).toBe('expensive');
    expect(closestToLimit([{ ...rate, remaining: 0, exceeded: true }, slots])?.name).toBe('submit');
    // A tie goes to the route's request-rate policy, listed first.
    expect(
      closestToLimit([state({ remaining: 2, quota: 4 }), { ...slots, remaining: 2 }])?.name,
    ).toBe('default');
    expect(closestToLimit([])).toBeUndefined();
  });

  it('writes both fields as RFC 9651 Lists', () => {
    const states = [
      state({ name: 'uploads', quota: 100, windowSeconds: 3600 }),
      state({ name: 'upload-bytes', unit: 'content-bytes', quota: 5000, windowSeconds: 3600 }),
      state({
        name: 'expensive',
        unit: 'concurrent-requests',
        quota: 4,
        windowSeconds: undefined,
        remaining: 3,
        resetSeconds: undefined,
      }),
    ];
    const policy = rateLimitPolicyField(states);
    expect(policy).toBe(
      '"uploads";q=100;w=3600, "upload-bytes";q=5000;qu="content-bytes";w=3600, "expensive";q=4;qu="concurrent-requests"',
    );
    expect(parseList(policy).map(([name]) => name)).toEqual([
      'uploads',
      'upload-bytes',
      'expensive',
    ]);
    expect(rateLimitField(states[0] as PolicyState)).toBe('"uploads";r=5;t=30');
    const [[name, params]] = parseList(rateLimitField(states[2] as PolicyState)) as [
      [string, Map<string, unknown>],
    ];
    expect(name).toBe('expensive');
    expect(Object.fromEntries(params)).toEqual({ r: 3 });
  });
});
