import { describe, expect, it } from 'vitest';
import { deviceId, withDeviceId } from './device-id';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

describe('deviceId', () => {
  it('makes a random id once and keeps it in storage', () => {
    const storage = memoryStorage();
    const id = deviceId(storage);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(deviceId(storage)).toBe(id);
    expect(deviceId(memoryStorage())).not.toBe(id);
  });

  it('replaces a kept value the API would ignore', () => {
    const storage = memoryStorage();
    storage.setItem('jewelshot.device-id', 'not valid!');
    expect(deviceId(storage)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('withDeviceId', () => {
  it('sends X-Device-Id with every request', async () => {
    const seen: Request[] = [];
    const fetchFn = withDeviceId(async (input) => {
      seen.push(input as Request);
      return new Response(null, { status: 204 });
    });
    await fetchFn('http://api.test/v1/auth/login', { method: 'POST' });
    expect(seen[0]?.headers.get('x-device-id')).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});
