import type { Principal } from '@jewelshot/identity';

/**
 * How far a caller reaches on the seller routes (`/v1/ai/jobs`, `/v1/batches`, `/v1/files`),
 * the services' `isAdmin` argument there.
 *
 * An admin signed in (a session) may read any user's job, batch or file, to answer a support
 * question. An API key never reaches beyond its owner's rows, even an admin's key: a leaked
 * integration key must not read every user's work.
 */
export function readsAnyUser(principal: Principal): boolean {
  return principal.role === 'admin' && principal.via.kind === 'session';
}

/**
 * Changes made through the seller routes (a cancel) touch the caller's own rows only, an
 * admin's too. An admin cancels another user's work through `/v1/admin/jobs/{id}/cancel`,
 * where the action is on the audit record. (Passing the caller's role here let an admin, or
 * anyone holding an admin's key, cancel any user's jobs and batches, and nothing recorded it.)
 */
export const OWN_ONLY = false;
