import sharp from 'sharp';
import { startApi, type TestApi } from '../support/app';
import { upload } from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { photoJpeg, smallPng } from '../support/images';

describe('uploads and files', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({
      UPLOAD_MAX_BYTES: String(5 * 1024 * 1024),
      PUBLIC_BASE_URL: 'http://files.test',
    });
  });

  afterAll(async () => {
    await api.close();
  });

  const fetchSigned = (url: string) => api.http().get(url.replace('http://files.test', ''));

  it('stores a 4000×3000 JPEG at quality 95 with GPS EXIF at most half its size, with no metadata', async () => {
    const user = await newUser(api);
    const original = await photoJpeg(4000, 3000, 95, true);
    const before = await sharp(original).metadata();
    expect(before.exif?.length).toBeGreaterThan(0);

    const res = await upload(api, user, original, 'ring.jpg');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      width: 2048,
      height: 1536,
      contentType: 'image/jpeg',
    });
    expect(res.body.bytes).toBeLessThanOrEqual(original.length / 2);

    const stored = await fetchSigned(res.body.url).buffer(true);
    expect(stored.status).toBe(200);
    expect(stored.headers['content-type']).toBe('image/jpeg');
    const body = stored.body as Buffer;
    expect(body.length).toBe(res.body.bytes);
    const after = await sharp(body).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(body.includes(Buffer.from('TestCam'))).toBe(false);
  });

  it('turns an image upright by its EXIF orientation before dropping it', async () => {
    const user = await newUser(api);
    const sideways = await sharp(await smallPng(120, 60))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const res = await upload(api, user, sideways, 'sideways.jpg');
    expect(res.status).toBe(201);
    expect({ width: res.body.width, height: res.body.height }).toEqual({ width: 60, height: 120 });
  });

  it('recognises images by their bytes: a text file named .jpg is 415', async () => {
    const user = await newUser(api);
    const res = await upload(api, user, Buffer.from('definitely not an image\n'), 'photo.jpg');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const png = await upload(api, user, await smallPng(), 'misnamed.gif');
    expect(png.status).toBe(201);
    expect(png.body.contentType).toBe('image/png');
  });

  it('refuses a file over UPLOAD_MAX_BYTES with 413, and a request without a file with 400', async () => {
    const user = await newUser(api);
    const big = await upload(api, user, Buffer.alloc(6 * 1024 * 1024, 0xff), 'big.jpg');
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const none = await api
      .http()
      .post('/v1/uploads')
      .set(...bearer(user.accessToken))
      .field('note', 'x');
    expect(none.status).toBe(400);
  });

  it('answers a multipart body it cannot read with 400, never 500', async () => {
    const user = await newUser(api);
    const send = (contentType: string, body: Buffer) =>
      api
        .http()
        .post('/v1/uploads')
        .set(...bearer(user.accessToken))
        .set('content-type', contentType)
        .send(body);
    const part = Buffer.from(
      '--xx\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' +
        'Content-Type: image/png\r\n\r\n',
    );
    const png = await smallPng();
    const bodies: Array<[string, string, Buffer]> = [
      ['no boundary', 'multipart/form-data', Buffer.from('garbage')],
      ['a boundary never seen', `multipart/form-data; boundary=${'x'.repeat(60)}`, part],
      ['cut short', 'multipart/form-data; boundary=xx', Buffer.concat([part, png.subarray(0, 8)])],
      ['never closed', 'multipart/form-data; boundary=xx', Buffer.concat([part, png])],
    ];
    const answers = [];
    for (const [what, contentType, body] of bodies) {
      const res = await send(contentType, body);
      answers.push([what, res.status, res.body.code]);
    }
    expect(answers).toEqual(bodies.map(([what]) => [what, 400, 'VALIDATION_ERROR']));
    // And the caller's upload slot was given back each time.
    expect((await upload(api, user, png, 'after.png')).status).toBe(201);
  });

  it('refuses a body with any part beside the one file (a second file, a field), and stores nothing', async () => {
    const user = await newUser(api);
    const png = await smallPng();
    const post = () =>
      api
        .http()
        .post('/v1/uploads')
        .set(...bearer(user.accessToken));
    const answers = [
      await post().attach('file', png, 'a.png').attach('file', png, 'b.png'),
      await post().attach('file', png, 'a.png').attach('other', png, 'b.png'),
      await post().field('note', 'x').attach('file', png, 'a.png'),
      await post().attach('file', png, 'a.png').field('note', 'x'),
    ];
    expect(
      answers.map((res) => [res.status, res.body.code, res.body.details?.[0]?.constraint]),
    ).toEqual(answers.map(() => [400, 'VALIDATION_ERROR', 'whitelistValidation']));
    // A second file is past the parser's one-file limit before its name is read.
    expect(answers.map((res) => res.body.details[0].field)).toEqual([
      'file',
      'file',
      'note',
      'note',
    ]);
    // A prototype property as a part's name, and a `file` part that is no file (no filename).
    const proto = await post().field('__proto__', 'x').attach('file', png, 'a.png');
    expect([proto.status, proto.body.details?.[0]]).toEqual([
      400,
      expect.objectContaining({ field: '__proto__', constraint: 'whitelistValidation' }),
    ]);
    const notAFile = await post().field('file', 'ring.png');
    expect([notAFile.status, notAFile.body.details?.[0]]).toEqual([
      400,
      expect.objectContaining({ field: 'file', constraint: 'isDefined' }),
    ]);
    const files = await api.db.query(`SELECT id FROM files WHERE user_id = $1`, [user.id]);
    expect(files).toEqual([]);
    // One file alone is taken.
    expect((await post().attach('file', png, 'a.png')).status).toBe(201);
  });

  it('shows a file and its signed URL to its owner only; others get 404', async () => {
    const owner = await newUser(api, 'owner');
    const other = await newUser(api, 'other');
    const { body } = await upload(api, owner, await smallPng());
    expect(
      (
        await api
          .http()
          .get(`/v1/files/${body.id}`)
          .set(...bearer(owner.accessToken))
      ).status,
    ).toBe(200);
    const foreign = await api
      .http()
      .get(`/v1/files/${body.id}`)
      .set(...bearer(other.accessToken));
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('RESOURCE_NOT_FOUND');
    // The signed URL needs no token, but it cannot be forged, re-pointed or extended.
    expect((await fetchSigned(body.url)).status).toBe(200);
    const url = new URL(body.url);
    const sig = url.searchParams.get('sig') ?? '';
    const expires = Number(url.searchParams.get('expires'));
    expect(
      (await api.http().get(`${url.pathname}?expires=${expires}&sig=${sig.slice(0, -2)}xx`)).status,
    ).toBe(404);
    expect(
      (await api.http().get(`${url.pathname}?expires=${expires + 3600}&sig=${sig}`)).status,
    ).toBe(404);
    // A link without its query says which parameter is missing (it said a length before).
    const bare = await api.http().get(url.pathname);
    expect(bare.status).toBe(400);
    expect(bare.body.details).toEqual([
      { field: 'expires', message: 'expires is required', constraint: 'isDefined' },
      { field: 'sig', message: 'sig is required', constraint: 'isDefined' },
    ]);
    const { body: otherFile } = await upload(api, other, await smallPng());
    expect(
      (await api.http().get(`/v1/files/${otherFile.id}/content?expires=${expires}&sig=${sig}`))
        .status,
    ).toBe(404);
  });
});
