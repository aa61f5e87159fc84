import { unwrap, type Job, type UploadedFile } from '@jewelshot/api-client';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api';

const PAGE = 20;

export const keys = {
  balance: ['balance'] as const,
  prices: ['prices'] as const,
  me: ['me'] as const,
  jobs: ['jobs'] as const,
  job: (id: string) => ['jobs', id] as const,
  history: ['history'] as const,
  /** Under history: what invalidates the history invalidates the holds too. */
  holds: ['history', 'holds'] as const,
  batches: ['batches'] as const,
  batch: (id: string) => ['batches', id] as const,
  files: ['files'] as const,
  /** Under files: what invalidates the files invalidates the storage use too. */
  fileUsage: ['files', 'usage'] as const,
};

export const useBalance = () =>
  useQuery({
    queryKey: keys.balance,
    queryFn: () => unwrap(api.client.GET('/v1/credits/balance')),
  });

export const usePrices = () =>
  useQuery({
    queryKey: keys.prices,
    queryFn: () => unwrap(api.client.GET('/v1/credits/prices')),
    staleTime: 5 * 60_000,
  });

export const useMe = () =>
  useQuery({ queryKey: keys.me, queryFn: () => unwrap(api.client.GET('/v1/me')) });

export function useJobsPages(status?: Job['status']) {
  return useInfiniteQuery({
    queryKey: [...keys.jobs, 'list', status ?? 'all'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/ai/jobs', {
          params: { query: { limit: PAGE, cursor: pageParam, status } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export const useJob = (id: string) =>
  useQuery({
    queryKey: keys.job(id),
    queryFn: () => unwrap(api.client.GET('/v1/ai/jobs/{id}', { params: { path: { id } } })),
    enabled: id !== '',
  });

export function useHistoryPages() {
  return useInfiniteQuery({
    queryKey: keys.history,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/credits/history', {
          params: { query: { limit: PAGE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useHoldsPages() {
  return useInfiniteQuery({
    queryKey: keys.holds,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/credits/holds', {
          params: { query: { limit: PAGE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useBatchesPages() {
  return useInfiniteQuery({
    queryKey: keys.batches,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/batches', { params: { query: { limit: PAGE, cursor: pageParam } } }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export const useBatch = (id: string, live: boolean) =>
  useQuery({
    queryKey: keys.batch(id),
    queryFn: () => unwrap(api.client.GET('/v1/batches/{id}', { params: { path: { id } } })),
    // Per-item progress: the batch has no event stream of its own, so poll while work remains.
    refetchInterval: live ? 2000 : false,
  });

/** The seller's files (uploads, outputs or both), newest first, each with a fresh signed URL. */
export function useFilesPages(kind?: UploadedFile['kind']) {
  return useInfiniteQuery({
    queryKey: [...keys.files, 'list', kind ?? 'all'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/files', {
          params: { query: { limit: PAGE, cursor: pageParam, kind } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export const useFileUsage = () =>
  useQuery({
    queryKey: keys.fileUsage,
    queryFn: () => unwrap(api.client.GET('/v1/files/usage')),
  });

/** After a job or batch changes money: balance, history and lists are stale. */
export function useInvalidateMoney() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: keys.balance });
    void client.invalidateQueries({ queryKey: keys.history });
    void client.invalidateQueries({ queryKey: keys.jobs });
  };
}
