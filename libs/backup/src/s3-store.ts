import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3ClientFor, type S3Connection } from '@jewelshot/platform';
import { BackupError } from './backup.errors';
import { DUMP_FILE, MANIFEST_FILE } from './manifest';

/** Backups in an S3 bucket: `<prefix>/<backup name>/backup.dump` and `backup.json`. */
export interface S3BackupTarget {
  bucket: string;
  /** Key prefix without slashes at the ends; empty for the bucket's root. */
  prefix: string;
  connection: S3Connection;
}

/** A big dump goes up in parts of this size, a few at once (the SDK's Upload). */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_AT_ONCE = 4;
/** A dump without its manifest younger than this may be an upload in progress. */
const STALE_PARTIAL_MS = 86_400_000;

export function isS3Url(location: string): boolean {
  return location.startsWith('s3://');
}

/** `s3://bucket/prefix/name` of a backup. */
export function s3BackupUrl(
  target: Pick<S3BackupTarget, 'bucket' | 'prefix'>,
  name: string,
): string {
  return `s3://${target.bucket}/${target.prefix ? `${target.prefix}/` : ''}${name}`;
}

/** The bucket and the backup's key prefix (no trailing slash) of an `s3://` URL. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+?)\/*$/.exec(url);
  if (!match?.[1] || !match[2])
    throw new BackupError(
      'BACKUP_INCOMPLETE',
      `${url}: not an s3://bucket/prefix/backup URL of a backup`,
    );
  return { bucket: match[1], key: match[2] };
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket';
}

async function withClient<T>(
  connection: S3Connection,
  work: (client: S3Client) => Promise<T>,
): Promise<T> {
  const client = s3ClientFor(connection);
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/**
 * Uploads a backup folder: the dump first (multipart when big, streamed from disk), the manifest
 * last, so a listing never shows a backup with a manifest whose dump is not all there. Returns
 * the backup's URL.
 */
export async function uploadBackup(
  target: S3BackupTarget,
  folder: string,
  name: string,
): Promise<string> {
  const url = s3BackupUrl(target, name);
  const { key } = parseS3Url(url);
  await withClient(target.connection, async (client) => {
    const upload = new Upload({
      client,
      params: {
        Bucket: target.bucket,
        Key: `${key}/${DUMP_FILE}`,
        Body: createReadStream(join(folder, DUMP_FILE)),
        ContentType: 'application/octet-stream',
      },
      partSize: PART_BYTES,
      queueSize: PARTS_AT_ONCE,
    });
    await upload.done();
    await client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: `${key}/${MANIFEST_FILE}`,
        Body: await readFile(join(folder, MANIFEST_FILE)),
        ContentType: 'application/json',
      }),
      { abortSignal: AbortSignal.timeout(target.connection.timeoutMs) },
    );
  });
  return url;
}

async function download(client: S3Client, bucket: string, key: string, path: string) {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(object.Body instanceof Readable)) throw new Error(`s3://${bucket}/${key}: no body`);
  await pipeline(object.Body, createWriteStream(path));
}

/**
 * Downloads a backup (manifest first: without it there is no backup) into `folder`, the dump
 * streamed to disk. The caller checks the dump's SHA-256 against the manifest.
 */
export async function downloadBackup(
  url: string,
  connection: S3Connection,
  folder: string,
): Promise<void> {
  const { bucket, key } = parseS3Url(url);
  await withClient(connection, async (client) => {
    try {
      await download(client, bucket, `${key}/${MANIFEST_FILE}`, join(folder, MANIFEST_FILE));
    } catch (error) {
      if (isNotFound(error))
        throw new BackupError(
          'BACKUP_INCOMPLETE',
          `${url} has no ${MANIFEST_FILE}: not a complete backup`,
        );
      throw error;
    }
    try {
      await download(client, bucket, `${key}/${DUMP_FILE}`, join(folder, DUMP_FILE));
    } catch (error) {
      if (isNotFound(error))
        throw new BackupError('BACKUP_INCOMPLETE', `${url}: the dump object is missing`);
      throw error;
    }
  });
}

export interface S3StoredBackup {
  url: string;
  name: string;
  takenAt: Date;
}

/** `20261128T124500123Z` (the backup's name) back to its time. */
function timeOfName(name: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(name);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

interface Listing {
  complete: S3StoredBackup[];
  /** Keys of objects under a backup name that has no manifest, with their time. */
  partial: Array<{ key: string; lastModified: Date }>;
}

async function listObjects(client: S3Client, target: S3BackupTarget): Promise<Listing> {
  const root = target.prefix ? `${target.prefix}/` : '';
  const objects: Array<{ key: string; lastModified: Date }> = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: target.bucket,
        Prefix: root,
        ContinuationToken: token,
        MaxKeys: 1000,
      }),
      { abortSignal: AbortSignal.timeout(target.connection.timeoutMs) },
    );
    for (const object of page.Contents ?? [])
      if (object.Key)
        objects.push({ key: object.Key, lastModified: object.LastModified ?? new Date() });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const manifests = new Map<string, Date>();
  for (const object of objects) {
    const rest = object.key.slice(root.length).split('/');
    if (rest.length === 2 && rest[1] === MANIFEST_FILE && rest[0])
      manifests.set(rest[0], object.lastModified);
  }
  const complete = [...manifests].map(([name, lastModified]) => ({
    url: s3BackupUrl(target, name),
    name,
    takenAt: timeOfName(name) ?? lastModified,
  }));
  const partial = objects.filter((object) => {
    const name = object.key.slice(root.length).split('/')[0] ?? '';
    return !manifests.has(name) && timeOfName(name) !== null;
  });
  return { complete: complete.sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime()), partial };
}

/**
 * Deletes the backups `toDelete` picks (the manifest first, so a half-deleted backup never looks
 * complete, then the dump) and the objects of uploads that died more than a day ago. Returns the
 * URLs of the backups deleted.
 */
export async function pruneS3Backups(
  target: S3BackupTarget,
  toDelete: (backups: S3StoredBackup[]) => S3StoredBackup[],
): Promise<string[]> {
  return withClient(target.connection, async (client) => {
    const { complete, partial } = await listObjects(client, target);
    const deleted: string[] = [];
    const remove = (key: string) =>
      client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }), {
        abortSignal: AbortSignal.timeout(target.connection.timeoutMs),
      });
    for (const backup of toDelete(complete)) {
      const { key } = parseS3Url(backup.url);
      await remove(`${key}/${MANIFEST_FILE}`);
      await remove(`${key}/${DUMP_FILE}`);
      deleted.push(backup.url);
    }
    for (const object of partial)
      if (Date.now() - object.lastModified.getTime() > STALE_PARTIAL_MS) {
        await remove(object.key);
        deleted.push(`s3://${target.bucket}/${object.key}`);
      }
    return deleted;
  });
}
