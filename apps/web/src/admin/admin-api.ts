import { ApiError, unwrap, type components } from '@jewelshot/api-client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../api';

export type AuditEvent = components['schemas']['AuditEventDto'];

/** True when the API refused the call because the caller is not an admin. */
export const isForbidden = (error: unknown) => error instanceof ApiError && error.status === 403;

/**
 * One admin change made from the console: the request id it sends (`headers`), and the audit
 * event that request recorded about its target, read back by that id (`recorded`). The newest
 * event about the target could be another admin's, made at the same moment.
 */
export function adminChange() {
  const requestId = `console-${crypto.randomUUID()}`;
  return {
    headers: { 'X-Request-Id': requestId },
    recorded: async (targetId: string): Promise<AuditEvent | null> => {
      const page = await unwrap(
        api.client.GET('/v1/admin/audit', {
          params: { query: { targetId, requestId, limit: 1 } },
        }),
      );
      return page.data[0] ?? null;
    },
  };
}

/** Rows per page of the console's lists; "Load more" reads the next page (the API's cursor). */
export const ADMIN_PAGE_SIZE = 50;

export const useAdminUsers = (email: string) =>
  useInfiniteQuery({
    queryKey: ['admin', 'users', email],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/admin/users', {
          params: {
            query: { limit: ADMIN_PAGE_SIZE, cursor: pageParam, email: email || undefined },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

export const useAdminUser = (id: string) =>
  useQuery({
    queryKey: ['admin', 'user', id],
    queryFn: () =>
      unwrap(api.client.GET('/v1/admin/users/{userId}', { params: { path: { userId: id } } })),
  });
