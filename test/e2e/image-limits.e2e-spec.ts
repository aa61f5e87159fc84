import { createDeflate, crc32, deflateSync } from 'node:zlib';
import { startApi, type TestApi } from '../support/app';
import { upload } from '../support/ai';
import { newUser } from '../support/factories';
import { photoJpeg, smallPng } from '../support/images';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of width×height black pixels: tiny on disk, width×height×3 bytes once decoded. */
async function blackPng(width: number, height: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const finished = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(1 + width * 3); // filter byte 0, then black pixels
  for (let y = 0; y < height; y += 1) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await finished;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG of only a header declaring width×height (and an empty image stream): 60-odd bytes. */
function headerOnlyPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(2, 9);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('image limits', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({
      UPLOAD_MAX_BYTES: String(5 * 1024 * 1024),
      STORAGE_QUOTA_BYTES: '60000',
    });
  });

  afterAll(async () => {
    await api.close();
  });

  it('refuses a 12000×12000 PNG bomb with 413 from its header, before decoding it', async () => {
    const user = await newUser(api, 'bomb');
    const bomb = await blackPng(12_000, 12_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await upload(api, user, bomb, 'bomb.png');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      details: { width: 12_000, height: 12_000, maxPixels: 50_000_000 },
    });
  }, 60_000);

  it('says 413 with the figures for a header past what the image library itself would open', async () => {
    // 2.5 gigapixels: over the library's own default limit (about 268 MP), which must not turn
    // the answer into "could not be decoded".
    const user = await newUser(api, 'giant');
    const res = await upload(api, user, headerOnlyPng(50_000, 50_000), 'giant.png');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { width: 50_000, height: 50_000, maxPixels: 50_000_000 },
    });
  });

  it('refuses an upload past the storage quota with 413 and the figures', async () => {
    const user = await newUser(api, 'quota');
    const small = await upload(api, user, await smallPng(), 'small.png');
    expect(small.status).toBe(201);
    const used = small.body.bytes as number;

    const photo = await photoJpeg(1600, 1200, 95);
    const over = await upload(api, user, photo, 'big.jpg');
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      details: { used, quota: 60_000 },
    });
    expect(over.body.details.incoming).toBeGreaterThan(60_000 - used);

    // Other users have their own quota.
    const other = await newUser(api, 'quota-other');
    expect((await upload(api, other, await smallPng(), 'small.png')).status).toBe(201);
  });
});
