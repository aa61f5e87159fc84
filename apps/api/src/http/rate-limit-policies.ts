import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from '../api.config';
import type { ConcurrencyPolicyName, RatePolicyName } from '../common/rate-limit.decorator';

/** Every policy name that can appear in RateLimit-Policy. */
export type PolicyName = RatePolicyName | 'upload-bytes' | ConcurrencyPolicyName;

/** A quota over a fixed window: `quota` units (requests, or bytes) per `windowMs`. */
export interface WindowQuota {
  quota: number;
  windowMs: number;
}

/** The draft's quota units: requests per window, bytes per window, requests in flight. */
export type QuotaUnit = 'request' | 'content-bytes' | 'concurrent-requests';

/** The limits in force, from the configuration; a caller resolver may override any of them. */
export interface PolicyTable {
  rate: Record<RatePolicyName | 'upload-bytes', WindowQuota>;
  concurrency: Record<ConcurrencyPolicyName, number>;
}

/**
 * A concurrency slot's lease: the process holding it renews it every CONCURRENCY_RENEW_MS while
 * its request runs (an event stream for up to 30 minutes), so a slot of a process that died
 * lapses within a minute instead of locking its caller out.
 */
export const CONCURRENCY_LEASE_MS = 60_000;
export const CONCURRENCY_RENEW_MS = 20_000;

export function policyTable(config: ApiConfig): PolicyTable {
  const window = config.RATE_LIMIT_WINDOW_MS;
  const uploads = config.UPLOAD_RATE_LIMIT_WINDOW_MS;
  return {
    rate: {
      default: { quota: config.RATE_LIMIT_MAX, windowMs: window },
      auth: { quota: config.AUTH_RATE_LIMIT_MAX, windowMs: window },
      submit: { quota: config.SUBMIT_RATE_LIMIT_MAX, windowMs: window },
      uploads: { quota: config.UPLOAD_RATE_LIMIT_MAX, windowMs: uploads },
      'upload-bytes': { quota: config.UPLOAD_RATE_LIMIT_BYTES, windowMs: uploads },
    },
    concurrency: {
      expensive: config.CONCURRENCY_LIMIT_PER_USER,
      downloads: config.DOWNLOAD_CONCURRENCY_LIMIT,
      sse: config.SSE_MAX_OPEN_PER_USER,
    },
  };
}

/** Who a request is counted as: one bucket per caller and policy. */
export interface RateLimitCaller {
  /** The bucket key: `user:<id>` (a session, or an API key its owner's) or `ip:<address>`. */
  key: string;
  /** Limits of this caller that differ from the configured ones (a plan of an account). */
  overrides?: {
    rate?: Partial<PolicyTable['rate']>;
    concurrency?: Partial<PolicyTable['concurrency']>;
  };
}

/**
 * A way to recognise a caller before the guards run; the hook asks each in turn and the first
 * answer wins, then falls back to the access token's user, then the client address. API keys
 * come in here (`apiKeyCaller`): a resolver recognises its caller from the request alone, and
 * may return that caller's own limits. Must not touch the database: it runs on every request.
 */
export type RateLimitCallerResolver = (request: FastifyRequest) => RateLimitCaller | undefined;

/** DI token of the extra resolvers (an array; empty by default). */
export const RATE_LIMIT_CALLER_RESOLVERS = Symbol('RATE_LIMIT_CALLER_RESOLVERS');

/** The table for one caller: the configured limits with the caller's overrides on top. */
export function limitsFor(table: PolicyTable, caller: RateLimitCaller): PolicyTable {
  if (!caller.overrides) return table;
  return {
    rate: { ...table.rate, ...caller.overrides.rate },
    concurrency: { ...table.concurrency, ...caller.overrides.concurrency },
  };
}

/** One policy's state after this request was counted. */
export interface PolicyState {
  name: PolicyName;
  unit: QuotaUnit;
  quota: number;
  /** Window in seconds; none for concurrency. */
  windowSeconds?: number;
  remaining: number;
  /** Seconds until the quota resets; a concurrency policy has none unless refused (then 1). */
  resetSeconds?: number;
  exceeded: boolean;
}

/**
 * The policy closest to its limit: an exceeded one first, else the smallest share of its quota
 * left; on a tie, the earlier in the list (the route's request-rate policy).
 */
export function closestToLimit(states: readonly PolicyState[]): PolicyState | undefined {
  let best: PolicyState | undefined;
  const share = (state: PolicyState) => (state.exceeded ? -1 : state.remaining / state.quota);
  for (const state of states) if (!best || share(state) < share(best)) best = state;
  return best;
}

/**
 * RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-11): a Structured Fields List of the
 * policies that applied to the request, `"name";q=quota;w=window`, `qu` when not requests.
 */
export function rateLimitPolicyField(states: readonly PolicyState[]): string {
  return states
    .map((state) => {
      let item = `"${state.name}";q=${state.quota}`;
      if (state.unit !== 'request') item += `;qu="${state.unit}"`;
      if (state.windowSeconds !== undefined) item += `;w=${state.windowSeconds}`;
      return item;
    })
    .join(', ');
}

/** RateLimit: the one policy closest to its limit, `"name";r=remaining;t=seconds to reset`. */
export function rateLimitField(state: PolicyState): string {
  const reset = state.resetSeconds === undefined ? '' : `;t=${state.resetSeconds}`;
  return `"${state.name}";r=${state.remaining}${reset}`;
}
