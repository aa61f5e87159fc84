import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { RedisConcurrencyStorage } from '@jewelshot/platform';
import type { ConcurrencyPolicyName } from '../common/rate-limit.decorator';
import { CONCURRENCY_LEASE_MS, type PolicyState } from './rate-limit-policies';
import { whenClosed } from './when-closed';

/**
 * Takes one of `limit` slots of `policy` in `key`'s bucket for this request (leased for the
 * policy's lease), and says how it stands. A slot taken is given back when the response has
 * been sent or the client went away first, even while the acquire was waiting; one never given
 * back lapses with its lease. Used by the rate-limit hook (the caller's bucket) and by the
 * owner's concurrency guard (an API key owner's bucket).
 */
export async function takeConcurrencySlot(
  slots: RedisConcurrencyStorage,
  key: string,
  policy: ConcurrencyPolicyName,
  limit: number,
  reply: FastifyReply,
  onReleaseError: (error: unknown) => void,
): Promise<PolicyState> {
  const member = `${String(reply.request.id)}:${randomUUID()}`;
  const slot = await slots.acquire(key, policy, limit, CONCURRENCY_LEASE_MS[policy], member);
  if (slot.acquired)
    whenClosed(reply.raw, () => {
      slots.release(key, policy, member).catch(onReleaseError);
    });
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
