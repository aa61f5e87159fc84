import { S3Client } from '@aws-sdk/client-s3';

/**
 * How to reach an S3-compatible store (no bucket: the image storage and the backups each have
 * their own). The apps build it from the S3_* variables of the ai-jobs config.
 */
export interface S3Connection {
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Each request's timeout (a large upload's parts each get it). */
  timeoutMs: number;
}

/** One S3 client for a connection; the caller destroys it. */
export function s3ClientFor(connection: S3Connection): S3Client {
  return new S3Client({
    region: connection.region,
    endpoint: connection.endpoint,
    forcePathStyle: connection.forcePathStyle,
    credentials:
      connection.accessKeyId && connection.secretAccessKey
        ? { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey }
        : undefined,
    requestHandler: {
      requestTimeout: connection.timeoutMs,
      connectionTimeout: Math.min(connection.timeoutMs, 10_000),
    },
  });
}
