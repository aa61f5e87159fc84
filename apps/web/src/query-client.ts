import { ApiError } from '@jewelshot/api-client';
import { QueryClient } from '@tanstack/react-query';

/**
 * The app's one query cache. Its keys do not name the user: session.ts empties it whenever the
 * signed-in user changes or the session ends, so one user's data is never shown to the next.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; a lost connection or a 5xx may.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});
