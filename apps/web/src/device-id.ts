const KEY = 'jewelshot.device-id';

/**
 * A random id this browser keeps in local storage and sends as `X-Device-Id`: it helps the
 * abuse signals tell devices apart (docs/abuse.md). Not a fingerprint: nothing about the
 * device goes into it, and clearing the site's storage makes a new one. Without storage
 * (private modes that refuse it) the id lives as long as the page.
 */
let fallback: string | null = null;

export function deviceId(
  storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage(),
): string {
  try {
    const kept = storage?.getItem(KEY);
    if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
    const made = crypto.randomUUID();
    storage?.setItem(KEY, made);
    if (storage) return made;
  } catch {
    // Storage refused: fall through to the page's own id.
  }
  fallback ??= crypto.randomUUID();
  return fallback;
}

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** fetch that adds `X-Device-Id` to every request to the API. */
export function withDeviceId(fetchFn: typeof fetch): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    request.headers.set('X-Device-Id', deviceId());
    return fetchFn(request);
  };
}
