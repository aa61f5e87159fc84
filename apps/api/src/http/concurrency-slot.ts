import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RedisConcurrencyStorage } from '@jewelshot/platform';
import type { ConcurrencyPolicyName } from '../common/rate-limit.decorator';
import {
  CONCURRENCY_LEASE_MS,
  CONCURRENCY_RENEW_MS,
  type PolicyState,
} from './rate-limit-policies';
import { whenClosed } from './when-closed';

/**
 * The slots a process holds in one storage, their leases renewed every `renewMs` while held: a
 * slot of a process that died is not renewed and lapses within `leaseMs`. The timer runs only
 * while a slot is held, and never keeps the process alive.
 */
export class SlotLeases {
  private readonly held = new Map<string, { key: string; name: string; members: Set<string> }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly slots: RedisConcurrencyStorage,
    readonly leaseMs: number,
    private readonly renewMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** How many slots this process holds in the storage. */
  get size(): number {
    let held = 0;
    for (const bucket of this.held.values()) held += bucket.members.size;
    return held;
  }

  hold(key: string, name: string, member: string): void {
    const id = `${name}\n${key}`;
    const bucket = this.held.get(id) ?? { key, name, members: new Set<string>() };
    bucket.members.add(member);
    this.held.set(id, bucket);
    this.timer ??= setInterval(() => void this.renew(), this.renewMs).unref();
  }

  drop(key: string, name: string, member: string): void {
    const id = `${name}\n${key}`;
    const bucket = this.held.get(id);
    bucket?.members.delete(member);
    if (bucket?.members.size === 0) this.held.delete(id);
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** One round trip per caller and policy with slots held. */
  async renew(): Promise<void> {
    await Promise.all(
      [...this.held.values()].map(({ key, name, members }) =>
        this.slots.renew(key, name, this.leaseMs, [...members]).catch(this.onError),
      ),
    );
  }
}

const leasesOf = new WeakMap<RedisConcurrencyStorage, SlotLeases>();

/** The leases of the slots this process holds in `slots` (one keeper per storage). */
export function slotLeases(
  slots: RedisConcurrencyStorage,
  onError: (error: unknown) => void,
): SlotLeases {
  let leases = leasesOf.get(slots);
  if (!leases) {
    leases = new SlotLeases(slots, CONCURRENCY_LEASE_MS, CONCURRENCY_RENEW_MS, onError);
    leasesOf.set(slots, leases);
  }
  return leases;
}

const slotBuckets = new WeakMap<FastifyRequest, string>();

/**
 * The bucket this request asked a concurrency slot in last (the rate-limit hook asks first):
 * the owner's guard takes none where the hook has taken the owner's already.
 */
export function slotBucketOf(request: FastifyRequest): string | undefined {
  return slotBuckets.get(request);
}

/**
 * Takes one of `limit` slots of `policy` in `key`'s bucket for this request (leased, the lease
 * renewed while the request runs), and says how it stands. A slot taken is given back when the
 * response has been sent or the client went away first, even while the acquire was waiting; one
 * never given back (the process died) lapses with its lease. Used by the rate-limit hook (the
 * caller's bucket) and by the owner's concurrency guard (an API key owner's bucket).
 */
export async function takeConcurrencySlot(
  slots: RedisConcurrencyStorage,
  key: string,
  policy: ConcurrencyPolicyName,
  limit: number,
  reply: FastifyReply,
  onReleaseError: (error: unknown) => void,
): Promise<PolicyState> {
  slotBuckets.set(reply.request, key);
  const member = `${String(reply.request.id)}:${randomUUID()}`;
  const leases = slotLeases(slots, onReleaseError);
  const slot = await slots.acquire(key, policy, limit, leases.leaseMs, member);
  if (slot.acquired) {
    leases.hold(key, policy, member);
    whenClosed(reply.raw, () => {
      leases.drop(key, policy, member);
      slots.release(key, policy, member).catch(onReleaseError);
    });
  }
  return {
    name: policy,
    unit: 'concurrent-requests',
    quota: limit,
    remaining: Math.max(0, limit - slot.inFlight),
    // A slot has no window: refused, try again in a second.
    resetSeconds: slot.acquired ? undefined : 1,
    exceeded: !slot.acquired,
  };
}
