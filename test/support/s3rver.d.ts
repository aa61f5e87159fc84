// The few parts of s3rver (a local S3-compatible server) the tests use; it ships no types.
declare module 's3rver' {
  interface S3rverOptions {
    port?: number;
    address?: string;
    directory: string;
    silent?: boolean;
    resetOnClose?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    /** S3 event notifications (s3rver is a Koa app): one per object created or removed. */
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
  }
  interface S3rverEvent {
    Records: Array<{ eventName: string; s3: { object: { key: string } } }>;
  }
}
