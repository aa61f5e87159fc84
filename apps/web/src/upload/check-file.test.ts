import { describe, expect, it } from 'vitest';
import { checkFile } from './check-file';

describe('checking a photo before upload', () => {
  it('accepts JPEG, PNG and WebP within the limit', () => {
    for (const type of ['image/jpeg', 'image/png', 'image/webp']) {
      expect(checkFile({ type, size: 1000 }, 2000)).toBeNull();
    }
  });

  it('refuses other types, even small ones', () => {
    expect(checkFile({ type: 'image/gif', size: 10 }, 2000)).toEqual({ kind: 'type' });
    expect(checkFile({ type: 'application/pdf', size: 10 }, 2000)).toEqual({ kind: 'type' });
  });

  it('refuses files over the limit and says how big they are', () => {
    expect(checkFile({ type: 'image/png', size: 2001 }, 2000)).toEqual({
      kind: 'size',
      size: 2001,
      limit: 2000,
    });
  });

  it('refuses an empty file', () => {
    expect(checkFile({ type: 'image/png', size: 0 }, 2000)).toEqual({ kind: 'empty' });
  });
});
