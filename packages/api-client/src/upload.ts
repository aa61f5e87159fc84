import { NetworkError, toApiError } from './errors';
import type { components } from './schema';
import type { Session } from './session';

export type UploadedFile = components['schemas']['FileDto'];

/**
 * POST /v1/uploads through XMLHttpRequest, because fetch reports no upload progress. Same token
 * rules as every other call: one refresh and one retry on a 401. With an `idempotencyKey`
 * (1-255 printable ASCII characters, one per file meant), sending the same file again after a
 * dropped connection stores it once and answers the first upload's file.
 */
export function uploadImage(
  session: Session,
  baseUrl: string,
  file: Blob,
  onProgress: (fraction: number) => void = () => {},
  signal?: AbortSignal,
  idempotencyKey?: string,
): Promise<UploadedFile> {
  const send = (token: string | null) =>
    new Promise<{ status: number; body: unknown; headers: Headers }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${baseUrl}/v1/uploads`);
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      if (idempotencyKey !== undefined) xhr.setRequestHeader('idempotency-key', idempotencyKey);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onload = () => {
        const headers = new Headers();
        const retryAfter = xhr.getResponseHeader('retry-after');
        if (retryAfter) headers.set('retry-after', retryAfter);
        resolve({ status: xhr.status, body: xhr.response as unknown, headers });
      };
      xhr.onerror = () => reject(new NetworkError(new Error('upload failed')));
      xhr.onabort = () => reject(new DOMException('Upload canceled', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      const form = new FormData();
      form.append('file', file);
      xhr.send(form);
    });

  return (async () => {
    const token = await session.accessToken();
    let result = await send(token);
    if (result.status === 401 && token !== null) {
      const fresh = await session.refreshAfter401(token);
      if (fresh !== null) result = await send(fresh);
    }
    if (result.status >= 200 && result.status < 300) return result.body as UploadedFile;
    throw toApiError(
      new Response(null, { status: result.status, headers: result.headers }),
      result.body,
    );
  })();
}
