import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { downloadSigningKey, downloadUrl, hashUploadToken } from '../../src/slugs/slug-urls.js';
import { appArchive, slugArchive, tarball } from '../support/tarball.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

const MAX_BYTES = 64 * 1024;
const PROCFILE = { web: 'node web.js', worker: 'node worker.js' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** The path and query of an absolute URL, for supertest. */
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** A PUT through a real socket, chunked or without Content-Type, as supertest cannot send. */
function put(
  port: number,
  path: string,
  chunks: Buffer[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method: 'PUT', headers },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({ status: response.statusCode!, body: Buffer.concat(parts).toString() }),
        );
      },
    );
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('slugs', () => {
  let t: TestApp;
  let port: number;
  let owner: { id: string; token: string };
  let good: Buffer;

  beforeAll(async () => {
    t = await startTestApp({ SLUG_MAX_BYTES: String(MAX_BYTES) });
    port = await t.listen();
    owner = await t.createUser('slug-owner@example.com');
    for (const name of ['slugged', 'elsewhere']) {
      await t.http().post('/apps').set(bearer(owner.token)).send({ name }).expect(201);
    }
    good = await appArchive({ Procfile: 'web: node web.js\n', 'web.js': 'console.log(1)\n' });
  });
  afterAll(() => t.close());

  const createSlug = (body: Record<string, unknown> = {}, app = 'slugged') =>
    t
      .http()
      .post(`/apps/${app}/slugs`)
      .set(bearer(owner.token))
      .send({ process_types: PROCFILE, ...body });
  const upload = (url: string, bytes: Buffer, type = 'application/octet-stream') =>
    t.http().put(pathOf(url)).set('Content-Type', type).send(bytes);
  const blobCount = () => t.prisma.blob.count();

  describe('creating one', () => {
    it("answers Heroku's slug with an upload URL, keeping only its token's sha256", async () => {
      const response = await createSlug({
        commit: '60883d9e8947a57e04dc9124f25df004866a2051',
        commit_description: 'fixed a bug',
        buildpack_provided_description: 'Node.js',
      }).expect(201);
      const slug = response.body;
      expect(slug).toEqual({
        blob: { method: 'put', url: expect.any(String) },
        buildpack_provided_description: 'Node.js',
        checksum: null,
        commit: '60883d9e8947a57e04dc9124f25df004866a2051',
        commit_description: 'fixed a bug',
        created_at: expect.any(String),
        id: expect.any(String),
        process_types: PROCFILE,
        size: null,
        stack: { id: expect.any(String), name: 'heroku-24' },
        updated_at: expect.any(String),
      });
      const url = new URL(slug.blob.url);
      expect(url.origin).toBe(`http://127.0.0.1:${url.port}`);
      const token = url.pathname.replace('/slug-uploads/', '');
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      const row = await t.prisma.slug.findUniqueOrThrow({ where: { id: slug.id } });
      expect(row.uploadTokenHash).toBe(hashUploadToken(token));
      expect(JSON.stringify(row)).not.toContain(token);
      expect(row.uploadExpiresAt!.getTime() - row.createdAt.getTime()).toBeGreaterThan(3500_000);
      const event = await t.prisma.event.findFirstOrThrow({
        where: { action: 'slug.create' },
        orderBy: { version: 'desc' },
      });
      expect(event).toMatchObject({
        appName: 'slugged',
        actorId: owner.id,
        data: { slug_id: slug.id, commit: '60883d9e8947a57e04dc9124f25df004866a2051' },
      });
    });

    it('takes a stack by name or id, and refuses one drydock does not have', async () => {
      const byName = await createSlug({ stack: 'heroku-22' }).expect(201);
      expect(byName.body.stack.name).toBe('heroku-22');
      const byId = await createSlug({ stack: byName.body.stack.id }).expect(201);
      expect(byId.body.stack.name).toBe('heroku-22');
      const unknown = await createSlug({ stack: 'cedar-14' }).expect(422);
      expect(unknown.body).toEqual({
        id: 'invalid_params',
        message: expect.stringMatching(/Couldn't find the stack cedar-14/),
      });
    });

    it('refuses bad process types and checksums, like the rest of the API', async () => {
      const missing = await t
        .http()
        .post('/apps/slugged/slugs')
        .set(bearer(owner.token))
        .send({ commit: 'x' })
        .expect(422);
      expect(missing.body).toMatchObject({ id: 'invalid_params', message: /process_types/ });
      await createSlug({ process_types: { 'bad type': 'x' } }).expect(422);
      await createSlug({ process_types: { run: 'x' } }).expect(422);
      await createSlug({ process_types: { web: '' } }).expect(422);
      const checksum = await createSlug({ checksum: 'MD5:abc' }).expect(422);
      expect(checksum.body.message).toMatch(/checksum must be SHA256:/);
      await createSlug({ surprise: true }).expect(422);
    });

    it("refuses another account's app, an unknown app, and bodies that are not JSON", async () => {
      const stranger = await t.createUser('slug-stranger@example.com');
      await t
        .http()
        .post('/apps/slugged/slugs')
        .set(bearer(stranger.token))
        .send({ process_types: PROCFILE })
        .expect(403);
      await createSlug({}, 'no-such-app').expect(404);
      const text = await t
        .http()
        .post('/apps/slugged/slugs')
        .set(bearer(owner.token))
        .set('Content-Type', 'text/plain')
        .send('web: node web.js')
        .expect(415);
      expect(text.body.id).toBe('unsupported_media_type');
    });
  });

  describe('uploading its archive', () => {
    it('takes the archive once, then shows its checksum and size and serves it back', async () => {
      const created = (await createSlug().expect(201)).body;
      const taken = await upload(created.blob.url, good).expect(200);
      expect(taken.text).toBe('');

      const slug = (
        await t.http().get(`/apps/slugged/slugs/${created.id}`).set(bearer(owner.token)).expect(200)
      ).body;
      expect(slug).toMatchObject({
        id: created.id,
        checksum: `SHA256:${sha256(good)}`,
        size: good.length,
        process_types: PROCFILE,
        blob: { method: 'get', url: expect.stringMatching(/\/slug-downloads\//) },
      });
      const download = await t
        .http()
        .get(pathOf(slug.blob.url))
        .buffer(true)
        .parse((response, done) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => done(null, Buffer.concat(parts)));
        })
        .expect(200);
      expect(download.headers['content-type']).toBe('application/gzip');
      expect(Number(download.headers['content-length'])).toBe(good.length);
      expect((download.body as Buffer).equals(good)).toBe(true);

      const again = await upload(created.blob.url, good).expect(403);
      expect(again.body).toEqual({
        id: 'forbidden',
        message: expect.stringMatching(/used already/),
      });
      const row = await t.prisma.slug.findUniqueOrThrow({ where: { id: created.id } });
      expect(row).toMatchObject({ uploadTokenHash: null, uploadExpiresAt: null });
    });

    it('takes any Content-Type, none at all, and a chunked body', async () => {
      const asJson = (await createSlug().expect(201)).body;
      const json = await put(port, pathOf(asJson.blob.url), [good], {
        'Content-Type': 'application/json',
        'Content-Length': String(good.length),
      });
      expect(json.status).toBe(200);
      const bare = (await createSlug().expect(201)).body;
      const none = await put(port, pathOf(bare.blob.url), [good], {
        'Content-Length': String(good.length),
      });
      expect(none.status).toBe(200);
      const chunked = (await createSlug().expect(201)).body;
      const pieces = [good.subarray(0, 100), good.subarray(100, 700), good.subarray(700)];
      expect((await put(port, pathOf(chunked.blob.url), pieces)).status).toBe(200);
      for (const slug of [asJson, bare, chunked]) {
        const row = await t.prisma.slug.findUniqueOrThrow({
          where: { id: slug.id },
          include: { blob: true },
        });
        expect(row.blob.sha256).toBe(sha256(good));
      }
    });

    it('keeps the archive in 1 MiB chunks and drops the empty blob it replaced', async () => {
      const created = (await createSlug().expect(201)).body;
      const before = await t.prisma.slug.findUniqueOrThrow({ where: { id: created.id } });
      await upload(created.blob.url, good).expect(200);
      const after = await t.prisma.slug.findUniqueOrThrow({
        where: { id: created.id },
        include: { blob: { include: { chunks: true } } },
      });
      expect(after.blobId).not.toBe(before.blobId);
      expect(await t.prisma.blob.count({ where: { id: before.blobId } })).toBe(0);
      expect(after.blob.chunks.map((chunk) => chunk.seq)).toEqual([0]);
      expect(Buffer.from(after.blob.chunks[0].data).equals(good)).toBe(true);
    });

    it.each([
      ['not gzip', () => tarball([{ path: './app/', type: 'Directory' }]), /not gzip-compressed/],
      ['not a tar', () => Buffer.from([0x1f, 0x8b, 1, 2, 3]), /not a valid gzip stream/],
      ['without ./app', () => slugArchive([{ path: './web.js' }]), /not under \.\/app/],
      ['with a ../ entry', () => slugArchive([{ path: './app/../x' }]), /\.\. component/],
      ['with an absolute path', () => slugArchive([{ path: '/etc/x' }]), /absolute path/],
      [
        'with a symlink out of ./app',
        () =>
          slugArchive([
            { path: './app/', type: 'Directory' },
            { path: './app/passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' },
          ]),
        /points out of \.\/app/,
      ],
      [
        'with a device',
        () => slugArchive([{ path: './app/null', type: 'CharacterDevice' }]),
        /is a CharacterDevice/,
      ],
    ])(
      'refuses an archive %s with 422, keeps nothing and keeps the URL',
      async (_, bytes, message) => {
        const created = (await createSlug().expect(201)).body;
        const blobs = await blobCount();
        const refused = await upload(created.blob.url, bytes()).expect(422);
        expect(refused.body).toEqual({
          id: 'invalid_params',
          message: expect.stringMatching(message),
        });
        expect(await blobCount()).toBe(blobs);
        const slug = await t
          .http()
          .get(`/apps/slugged/slugs/${created.id}`)
          .set(bearer(owner.token));
        expect(slug.body).toMatchObject({ checksum: null, size: null });
        // The URL is used only by an upload that succeeds.
        await upload(created.blob.url, good).expect(200);
      },
    );

    it(`refuses more than SLUG_MAX_BYTES with 413, declared or streamed, keeping nothing`, async () => {
      const big = slugArchive([
        { path: './app/noise', body: randomBytes(MAX_BYTES).toString('hex') },
      ]);
      expect(big.length).toBeGreaterThan(MAX_BYTES);
      const declared = (await createSlug().expect(201)).body;
      const streamed = (await createSlug().expect(201)).body;
      const blobs = await blobCount();
      const refused = await upload(declared.blob.url, big).expect(413);
      expect(refused.body).toEqual({
        id: 'request_entity_too_large',
        message: `A slug may be at most ${MAX_BYTES} bytes (SLUG_MAX_BYTES).`,
      });
      const pieces = Array.from({ length: Math.ceil(big.length / 8192) }, (_, i) =>
        big.subarray(i * 8192, (i + 1) * 8192),
      );
      const chunked = await put(port, pathOf(streamed.blob.url), pieces);
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.body).id).toBe('request_entity_too_large');
      expect(await blobCount()).toBe(blobs);
    });

    it('refuses an archive whose checksum is not the one declared', async () => {
      const other = await appArchive({ Procfile: 'web: other\n' });
      const declared = (await createSlug({ checksum: `SHA256:${sha256(other)}` }).expect(201)).body;
      const refused = await upload(declared.blob.url, good).expect(422);
      expect(refused.body).toEqual({
        id: 'invalid_params',
        message: `The archive's checksum is SHA256:${sha256(good)}, not the SHA256:${sha256(other)} the slug was created with.`,
      });
      const upper = `SHA256:${sha256(good).toUpperCase()}`;
      const matching = (await createSlug({ checksum: upper }).expect(201)).body;
      await upload(matching.blob.url, good).expect(200);
    });

    it('refuses an expired upload URL, and one that never was', async () => {
      const created = (await createSlug().expect(201)).body;
      await t.prisma.slug.update({
        where: { id: created.id },
        data: { uploadExpiresAt: new Date(Date.now() - 1000) },
      });
      const expired = await upload(created.blob.url, good).expect(403);
      expect(expired.body).toEqual({
        id: 'forbidden',
        message: expect.stringMatching(/expired at/),
      });
      const unknown = await t
        .http()
        .put(`/slug-uploads/${randomBytes(32).toString('base64url')}`)
        .send(good)
        .expect(403);
      expect(unknown.body.id).toBe('forbidden');
    });

    it('makes upload URLs expire after SLUG_URL_TTL_SECONDS, and honours PUBLIC_URL', async () => {
      const other = await startTestApp(
        { SLUG_URL_TTL_SECONDS: '60', PUBLIC_URL: 'https://drydock.example.com/' },
        { reset: false },
      );
      try {
        const created = await other
          .http()
          .post('/apps/slugged/slugs')
          .set(bearer(ADMIN_TOKEN))
          .send({ process_types: PROCFILE })
          .expect(201);
        expect(created.body.blob.url).toMatch(/^https:\/\/drydock\.example\.com\/slug-uploads\//);
        const row = await t.prisma.slug.findUniqueOrThrow({ where: { id: created.body.id } });
        expect(row.uploadExpiresAt!.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(
          60_000,
        );
        expect(row.uploadExpiresAt!.getTime() - row.createdAt.getTime()).toBeGreaterThan(50_000);
        const info = await other
          .http()
          .get(`/apps/slugged/slugs/${created.body.id}`)
          .set(bearer(ADMIN_TOKEN))
          .expect(200);
        const expires = Number(new URL(info.body.blob.url).searchParams.get('expires'));
        expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(60_000);
      } finally {
        await other.close();
      }
    });
  });

  describe('reading it', () => {
    let uploaded: { id: string };
    let pending: { id: string };
    beforeAll(async () => {
      uploaded = (await createSlug().expect(201)).body;
      await upload((uploaded as { blob?: { url: string } }).blob!.url, good).expect(200);
      pending = (await createSlug().expect(201)).body;
    });
    const info = (id: string, app = 'slugged') =>
      t.http().get(`/apps/${app}/slugs/${id}`).set(bearer(owner.token));

    it("answers 404 for another app's slug and for ids that are no slug", async () => {
      const elsewhere = await info(uploaded.id, 'elsewhere').expect(404);
      expect(elsewhere.body).toEqual({ id: 'not_found', message: "Couldn't find that slug." });
      await info('not-a-uuid').expect(404);
      await info('00000000-0000-4000-8000-000000000000').expect(404);
    });

    it('refuses download URLs that are tampered with or expired, and has nothing before an upload', async () => {
      const url = new URL((await info(uploaded.id).expect(200)).body.blob.url);
      const signature = url.searchParams.get('signature')!;
      const tampered = `${url.pathname}?expires=${Number(url.searchParams.get('expires')) + 1}&signature=${signature}`;
      expect((await t.http().get(tampered).expect(403)).body.id).toBe('forbidden');
      await t.http().get(url.pathname).expect(403);
      const moved = `/slug-downloads/${pending.id}${url.search}`;
      await t.http().get(moved).expect(403);

      // Signed as the API signs them (the test app's key), an hour ago.
      const key = downloadSigningKey(Buffer.from('ab'.repeat(32), 'hex'));
      const past = downloadUrl('', key, uploaded.id, Math.floor(Date.now() / 1000) - 3600);
      const expired = await t.http().get(past).expect(403);
      expect(expired.body.message).toMatch(/expired/);

      const none = new URL((await info(pending.id).expect(200)).body.blob.url);
      const missing = await t.http().get(`${none.pathname}${none.search}`).expect(404);
      expect(missing.body).toEqual({
        id: 'not_found',
        message: 'That slug has no uploaded archive yet.',
      });
    });

    it('serves archives to dyno managers and admins only', async () => {
      const manager = await t.mintToken(['dyno-manager']);
      const archive = `/dyno-manager/v1/slugs/${uploaded.id}/archive`;
      const served = await t
        .http()
        .get(archive)
        .set(bearer(manager))
        .buffer(true)
        .parse((response, done) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => done(null, Buffer.concat(parts)));
        })
        .expect(200);
      expect(served.headers['content-type']).toBe('application/gzip');
      expect(gunzipSync(served.body as Buffer).equals(gunzipSync(good))).toBe(true);
      await t.http().get(archive).set(bearer(ADMIN_TOKEN)).expect(200);
      const person = await t.http().get(archive).set(bearer(owner.token)).expect(403);
      expect(person.body.id).toBe('forbidden');
      await t.http().get(archive).expect(401);
      await t
        .http()
        .get(`/dyno-manager/v1/slugs/${pending.id}/archive`)
        .set(bearer(manager))
        .expect(404);
      await t
        .http()
        .get('/dyno-manager/v1/slugs/00000000-0000-4000-8000-000000000000/archive')
        .set(bearer(manager))
        .expect(404);
    });
  });
});
