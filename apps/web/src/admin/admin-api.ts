import { ApiError, unwrap, type components } from '@jewelshot/api-client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';

export type AuditEvent = components['schemas']['AuditEventDto'];

/** True when the API refused the call because the caller is not an admin. */
export const isForbidden = (error: unknown) => error instanceof ApiError && error.status === 403;

/** The newest audit event about `targetId` (what a change just recorded). */
export async function latestEventFor(targetId: string): Promise<AuditEvent | null> {
  const page = await unwrap(
    api.client.GET('/v1/admin/audit', { params: { query: { targetId, limit: 1 } } }),
  );
  return page.data[0] ?? null;
}

export const useAdminUsers = (email: string) =>
  useQuery({
    queryKey: ['admin', 'users', email],
    queryFn: () =>
      unwrap(
        api.client.GET('/v1/admin/users', {
          params: { query: { limit: 50, email: email || undefined } },
        }),
      ),
  });

export const useAdminUser = (id: string) =>
  useQuery({
    queryKey: ['admin', 'user', id],
    queryFn: () =>
      unwrap(api.client.GET('/v1/admin/users/{userId}', { params: { path: { userId: id } } })),
  });
