import type { Readable } from 'node:stream';

/** Where image bytes live. Keys are ours (`<userId>/<fileId>.<ext>`); objects never change. */
export interface FileStorage {
  readonly driver: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  /** Every stored object, a page at a time (the orphan sweep compares them with the rows). */
  list(): AsyncIterable<StoredObject>;
  /**
   * A URL a browser can GET the object from directly until `expiresAt`, or null when the API
   * must serve it (the local driver).
   */
  directUrl(key: string, expiresInSeconds: number): Promise<string | null>;
}

export interface StoredObject {
  key: string;
  lastModified: Date;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');

export class StoredObjectNotFoundError extends Error {
  constructor(key: string) {
    super(`no stored object ${key}`);
  }
}
