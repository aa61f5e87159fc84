import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { s3ClientFor, type S3Connection } from '@jewelshot/platform';
import { FileStorage, StoredObjectNotFoundError, type StoredObject } from './file-storage';

/** The image bucket and how to reach it. */
export interface S3Settings extends S3Connection {
  bucket: string;
}

/** Any S3-compatible store; browsers fetch objects through presigned GET URLs. */
export class S3Storage implements FileStorage {
  readonly driver = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = s3ClientFor(settings);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
      }),
      { abortSignal: AbortSignal.timeout(this.settings.timeoutMs) },
    );
  }

  async get(key: string): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }),
        {
          abortSignal: AbortSignal.timeout(this.settings.timeoutMs),
        },
      );
      if (!(object.Body instanceof Readable)) throw new StoredObjectNotFoundError(key);
      return object.Body;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey')
        throw new StoredObjectNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  async *list(): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.settings.bucket,
          ContinuationToken: token,
          MaxKeys: 1000,
        }),
        { abortSignal: AbortSignal.timeout(this.settings.timeoutMs) },
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified)
          yield { key: object.Key, lastModified: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  directUrl(key: string, expiresInSeconds: number): Promise<string | null> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }),
      {
        expiresIn: expiresInSeconds,
      },
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
