import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3Storage, StoredObjectNotFoundError } from '@jewelshot/ai-jobs';
import { startApi } from '../support/app';
import { upload } from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { photoJpeg } from '../support/images';

const BUCKET = 'jewelshot-test';

describe('S3-compatible storage (against a local s3rver)', () => {
  let server: S3rver;
  let directory: string;
  let endpoint: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'jewelshot-s3-'));
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory,
      silent: true,
      resetOnClose: true,
      configureBuckets: [{ name: BUCKET }],
    });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  const settings = () => ({
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    timeoutMs: 5000,
  });

  it('puts, reads back, presigns and deletes an object', async () => {
    const storage = new S3Storage(settings());
    try {
      await storage.put('u1/f1.png', Buffer.from('not really a png'), 'image/png');
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.get('u1/f1.png')) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('not really a png');
      const url = await storage.directUrl('u1/f1.png', 60);
      expect(url).toContain('X-Amz-Signature');
      const fetched = await fetch(url ?? '');
      expect(fetched.status).toBe(200);
      expect(await fetched.text()).toBe('not really a png');
      await storage.delete('u1/f1.png');
      await expect(storage.get('u1/f1.png')).rejects.toBeInstanceOf(StoredObjectNotFoundError);
    } finally {
      storage.destroy();
    }
  });

  it('serves uploads through presigned S3 URLs when STORAGE_DRIVER=s3, until they are deleted', async () => {
    const api = await startApi({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: BUCKET,
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    });
    try {
      const user = await newUser(api);
      const res = await upload(api, user, await photoJpeg(800, 600, 90), 'ring.jpg');
      expect(res.status).toBe(201);
      expect(res.body.url.startsWith(`${endpoint}/${BUCKET}/${user.id}/`)).toBe(true);
      const image = await fetch(res.body.url);
      expect(image.status).toBe(200);
      expect(Buffer.from(await image.arrayBuffer()).length).toBe(res.body.bytes);
      const again = await api
        .http()
        .get(`/v1/files/${res.body.id}`)
        .set(...bearer(user.accessToken));
      expect(again.body.url).toContain('X-Amz-Signature');

      // Deleted: the object leaves the bucket, so its presigned URLs serve nothing more.
      const deleted = await api
        .http()
        .delete(`/v1/files/${res.body.id}`)
        .set(...bearer(user.accessToken));
      expect(deleted.status).toBe(204);
      expect((await fetch(again.body.url)).status).toBe(404);
      const storage = new S3Storage(settings());
      try {
        const key = new URL(res.body.url).pathname.replace(`/${BUCKET}/`, '');
        await expect(storage.get(key)).rejects.toBeInstanceOf(StoredObjectNotFoundError);
      } finally {
        storage.destroy();
      }
    } finally {
      await api.close();
    }
  });
});
