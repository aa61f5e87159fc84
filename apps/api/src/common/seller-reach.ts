import type { AdminReads, ForeignRead } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import type { Principal } from '@jewelshot/identity';
import type { RowScope } from '@jewelshot/platform';

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

/**
 * One row of the seller routes read as `principal` may see it, in the caller's row scope (a
 * transaction of its own): `read` is told whether the caller reaches any user's rows, and
 * answers the view and whose row it is. An admin's read of another user's row is put on the
 * audit record (AdminReads) before it is answered; without `actor` (a refresh of what was read
 * already, as an event stream's), it is not recorded again.
 */
export async function readAsCaller<T extends { id: string }>(
  on: { scope: RowScope; reads: AdminReads },
  principal: Principal,
  actor: AuditActor | undefined,
  resource: ForeignRead['resource'],
  read: (anyUser: boolean) => Promise<{ view: T; ownerId: string }>,
): Promise<T> {
  const anyUser = readsAnyUser(principal);
  const { view, ownerId } = await on.scope.forCaller(principal.userId, anyUser, () =>
    read(anyUser),
  );
  if (actor && anyUser) await on.reads.record(actor, { resource, id: view.id, ownerId });
  return view;
}
