import { createApi } from '@jewelshot/api-client';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** An XMLHttpRequest stand-in that records what an upload sends and answers 201. */
class RecordingXhr {
  static sent: Array<{ url: string; headers: Record<string, string> }> = [];
  upload = { onprogress: null as ((event: ProgressEvent) => void) | null };
  responseType = '';
  status = 0;
  response: unknown = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private url = '';
  private headers: Record<string, string> = {};
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  getResponseHeader() {
    return null;
  }
  abort() {}
  send() {
    RecordingXhr.sent.push({ url: this.url, headers: this.headers });
    this.status = 201;
    this.response = { id: 'f1' };
    queueMicrotask(() => this.onload?.());
  }
}

describe('the typed client’s upload', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    RecordingXhr.sent = [];
  });

  it('sends an Idempotency-Key when given one, and none otherwise', async () => {
    vi.stubGlobal('XMLHttpRequest', RecordingXhr);
    const api = createApi({ baseUrl: 'http://api.test' });
    const file = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' });
    await expect(api.upload(file, undefined, undefined, 'photo-1')).resolves.toEqual({ id: 'f1' });
    await api.upload(file);
    expect(RecordingXhr.sent.map((call) => call.url)).toEqual([
      'http://api.test/v1/uploads',
      'http://api.test/v1/uploads',
    ]);
    expect(RecordingXhr.sent[0]?.headers['idempotency-key']).toBe('photo-1');
    expect(RecordingXhr.sent[1]?.headers).not.toHaveProperty('idempotency-key');
  });
});
