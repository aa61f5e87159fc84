import type { SessionHints } from '@jewelshot/api-client';

/** A page's `localStorage` for a cookie session's mark: `signedIn` when someone signed in before. */
export function sessionHints(signedIn: boolean): SessionHints & { marked(): boolean } {
  const items = new Map<string, string>();
  if (signedIn) items.set('jewelshot:signed-in', '1');
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    marked: () => items.size > 0,
  };
}
