import type { SessionState } from '@jewelshot/api-client';
import { useSyncExternalStore } from 'react';
import { api } from './api';

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => api.session.subscribe(listener),
    () => api.session.current,
  );
}
