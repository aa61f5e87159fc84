import type { Client } from 'openapi-fetch';
import type { BearerCredential } from './auth-fetch.js';
import { NetworkError, toApiError } from './errors.js';
import type { components, paths } from './schema.js';

export type UploadedFile = components['schemas']['FileDto'];

/**
 * openapi-fetch's `bodySerializer` for a multipart body such as POST /v1/uploads: each field of
 * the typed body becomes a FormData entry (a Blob as a file part). Given a FormData, openapi-fetch
 * leaves Content-Type to fetch, which adds the boundary:
 *
 *   client.POST('/v1/uploads', { body: { file: blob }, bodySerializer: multipartBody })
 */
export function multipartBody(body: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) form.append(name, value);
  return form;
}

/**
 * The part of XMLHttpRequest an upload uses, declared here so that the package compiles without
 * the DOM lib (Node integrations).
 */
interface UploadXhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getResponseHeader(name: string): string | null;
  responseType: string;
  readonly status: number;
  readonly response: unknown;
  readonly upload: {
    onprogress:
      ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null;
  };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  abort(): void;
  send(body: FormData): void;
}

function xhrConstructor(): (new () => UploadXhr) | undefined {
  const value: unknown = (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest;
  return typeof value === 'function' ? (value as new () => UploadXhr) : undefined;
}

interface UploadContext {
  credential: BearerCredential;
  /** The typed client over the authenticated fetch. */
  client: Client<paths>;
  baseUrl: string;
}

/**
 * POST /v1/uploads. Where XMLHttpRequest exists (browsers), through it, because fetch reports no
 * upload progress; elsewhere (Node has no XMLHttpRequest) with fetch and FormData, without
 * progress. Same credential rules as every other call: one refresh and one retry on a 401. With
 * an `idempotencyKey` (1-255 printable ASCII characters, one per file meant), sending the same
 * file again after a dropped connection stores it once and answers the first upload's file.
 */
export function uploadImage(
  context: UploadContext,
  file: Blob,
  onProgress: (fraction: number) => void = () => {},
  signal?: AbortSignal,
  idempotencyKey?: string,
): Promise<UploadedFile> {
  const Xhr = xhrConstructor();
  return Xhr
    ? uploadWithXhr(Xhr, context, file, onProgress, signal, idempotencyKey)
    : uploadWithFetch(context, file, signal, idempotencyKey);
}

async function uploadWithFetch(
  { client }: UploadContext,
  file: Blob,
  signal?: AbortSignal,
  idempotencyKey?: string,
): Promise<UploadedFile> {
  const { data, error, response } = await client.POST('/v1/uploads', {
    params: idempotencyKey === undefined ? {} : { header: { 'Idempotency-Key': idempotencyKey } },
    body: { file },
    bodySerializer: multipartBody,
    signal,
  });
  if (!response.ok || data === undefined) throw toApiError(response, error);
  return data;
}

function uploadWithXhr(
  Xhr: new () => UploadXhr,
  { credential, baseUrl }: UploadContext,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
  idempotencyKey?: string,
): Promise<UploadedFile> {
  const send = (token: string | null) =>
    new Promise<{ status: number; body: unknown; headers: Headers }>((resolve, reject) => {
      const xhr = new Xhr();
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
        resolve({ status: xhr.status, body: xhr.response, headers });
      };
      xhr.onerror = () => reject(new NetworkError(new Error('upload failed')));
      xhr.onabort = () => reject(new DOMException('Upload canceled', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(multipartBody({ file }));
    });

  return (async () => {
    const token = await credential.accessToken();
    let result = await send(token);
    if (result.status === 401 && token !== null) {
      const fresh = await credential.refreshAfter401(token);
      if (fresh !== null) result = await send(fresh);
    }
    if (result.status >= 200 && result.status < 300) return result.body as UploadedFile;
    throw toApiError(
      new Response(null, { status: result.status, headers: result.headers }),
      result.body,
    );
  })();
}
