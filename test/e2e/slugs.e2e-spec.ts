import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { downloadSigningKey, downloadUrl, hashUploadToken } from '../../src/slugs/slug-urls.js';
import { captureLogs } from '../support/log-capture.js';
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
      expect(url.pathname).toBe(`/slug-uploads/${slug.id}`);
      const token = url.searchParams.get('token')!;
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
      const guess = randomBytes(32).toString('base64url');
      const pending = (await createSlug().expect(201)).body;
      for (const path of [
        `/slug-uploads/${pending.id}?token=${guess}`,
        `/slug-uploads/${pending.id}`,
        `/slug-uploads/${pending.id}?token=${new URL(pending.blob.url).searchParams.get('token')}&token=x`,
        `/slug-uploads/00000000-0000-4000-8000-000000000000?token=${guess}`,
        `/slug-uploads/not-a-slug?token=${guess}`,
      ]) {
        const unknown = await t.http().put(path).send(good).expect(403);
        expect(unknown.body).toEqual({
          id: 'forbidden',
          message: 'This upload URL is not valid: it was used already, or never existed.',
        });
      }
      await upload(pending.blob.url, good).expect(200);
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

  it('builds blob URLs from X-Forwarded-Proto and -Host only behind a trusted proxy', async () => {
    const forwarded = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'drydock.example.org' };
    const direct = await createSlug().set(forwarded).expect(201);
    expect(direct.body.blob.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slug-uploads\//);
    const proxied = await startTestApp({ TRUST_PROXY: 'loopback' }, { reset: false });
    try {
      const created = await proxied
        .http()
        .post('/apps/slugged/slugs')
        .set(bearer(ADMIN_TOKEN))
        .set(forwarded)
        .send({ process_types: PROCFILE })
        .expect(201);
      expect(created.body.blob.url).toMatch(/^https:\/\/drydock\.example\.org\/slug-uploads\//);
    } finally {
      await proxied.close();
    }
  });

  it('keeps the secrets of blob URLs out of the request log', async () => {
    const capture = captureLogs();
    const logged = await startTestApp(
      { LOG_LEVEL: 'info' },
      { reset: false, logger: capture.logger },
    );
    try {
      const created = await logged
        .http()
        .post('/apps/slugged/slugs')
        .set(bearer(ADMIN_TOKEN))
        .send({ process_types: PROCFILE })
        .expect(201);
      await logged.http().put(pathOf(created.body.blob.url)).send(good).expect(200);
      const info = await logged
        .http()
        .get(`/apps/slugged/slugs/${created.body.id}`)
        .set(bearer(ADMIN_TOKEN))
        .expect(200);
      await logged.http().get(pathOf(info.body.blob.url)).expect(200);
      const token = new URL(created.body.blob.url).searchParams.get('token')!;
      const signature = new URL(info.body.blob.url).searchParams.get('signature')!;
      const paths = capture.entries().map((entry) => entry.path);
      expect(paths).toContain(`/slug-uploads/${created.body.id}`);
      expect(paths).toContain(`/slug-downloads/${created.body.id}`);
      for (const line of capture.lines) {
        expect(line).not.toContain(token);
        expect(line).not.toContain(signature);
      }
    } finally {
      await logged.close();
    }
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

describe('releases of a slug', () => {
  let t: TestApp;
  let owner: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('deployer@example.com');
    for (const name of ['deployed', 'neighbour']) {
      await t.http().post('/apps').set(bearer(owner.token)).send({ name }).expect(201);
    }
  });
  afterAll(() => t.close());

  const as = () => bearer(owner.token);
  /** A slug of `app` with its archive uploaded, or not. */
  async function slugOf(
    app: string,
    processTypes: Record<string, string>,
    options: { commit?: string; upload?: boolean } = {},
  ): Promise<string> {
    const created = await t
      .http()
      .post(`/apps/${app}/slugs`)
      .set(as())
      .send({ process_types: processTypes, commit: options.commit })
      .expect(201);
    if (options.upload ?? true) {
      const archive = await appArchive({ 'web.js': `// ${JSON.stringify(processTypes)}\n` });
      await t
        .http()
        .put(pathOf(created.body.blob.url))
        .set('Content-Type', 'application/gzip')
        .send(archive)
        .expect(200);
    }
    return created.body.id as string;
  }
  const release = (app: string, body: Record<string, unknown>) =>
    t.http().post(`/apps/${app}/releases`).set(as()).send(body);
  const releaseInfo = async (app: string, version: number) =>
    (await t.http().get(`/apps/${app}/releases/${version}`).set(as()).expect(200)).body;
  const formation = async (app: string) =>
    Object.fromEntries(
      (await t.http().get(`/apps/${app}/formation`).set(as()).expect(200)).body.map(
        (f: { type: string; quantity: number; command: string }) => [
          f.type,
          [f.quantity, f.command],
        ],
      ),
    );

  it('runs the slug with its process types: the formation follows and every dyno restarts on it', async () => {
    const slug = await slugOf('deployed', PROCFILE, { commit: '60883d9e8947a57e04dc' });
    const response = await release('deployed', { slug }).expect(201);
    expect(response.body).toMatchObject({
      version: 2,
      description: 'Deploy 60883d9',
      slug: { id: slug },
      current: true,
      status: 'succeeded',
    });
    expect(await formation('deployed')).toEqual({
      web: [1, 'node web.js'],
      worker: [0, 'node worker.js'],
    });
    const v2 = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: 'deployed' }, version: 2 },
    });
    expect(v2).toMatchObject({ slugId: slug, processTypes: PROCFILE });
    const dynos = await t.prisma.dyno.findMany({ where: { app: { name: 'deployed' } } });
    expect(dynos.map((dyno) => [dyno.name, dyno.releaseId])).toEqual([['web.1', v2.id]]);
    expect((await releaseInfo('deployed', 1)).slug).toBeNull();
    expect((await releaseInfo('deployed', 2)).slug).toEqual({ id: slug });
    const listed = await t.http().get('/apps/deployed/releases').set(as()).expect(200);
    expect(listed.body.map((r: { slug: unknown }) => r.slug)).toEqual([null, { id: slug }]);
  });

  it('describes a deploy "Deploy" without a commit, or as it is told', async () => {
    const bare = await slugOf('neighbour', { web: 'node web.js' });
    expect((await release('neighbour', { slug: bare }).expect(201)).body.description).toBe(
      'Deploy',
    );
    const told = await release('neighbour', { slug: bare, description: 'Ship it' }).expect(201);
    expect(told.body.description).toBe('Ship it');
  });

  it('keeps running the slug through a config change, and a rollback restores its target’s slug', async () => {
    const first = (await releaseInfo('deployed', 2)).slug.id as string;
    await t
      .http()
      .patch('/apps/deployed/config-vars')
      .set(as())
      .send({ GREETING: 'hi' })
      .expect(200);
    expect((await releaseInfo('deployed', 3)).slug).toEqual({ id: first });

    const second = await slugOf('deployed', { web: 'node web2.js' });
    expect((await release('deployed', { slug: second }).expect(201)).body.version).toBe(4);
    expect(await formation('deployed')).toEqual({ web: [1, 'node web2.js'] });

    const back = await release('deployed', { release: 'v3' }).expect(201);
    expect(back.body).toMatchObject({
      version: 5,
      description: 'Rollback to v3',
      slug: { id: first },
    });
    expect(await formation('deployed')).toEqual({
      web: [1, 'node web.js'],
      worker: [0, 'node worker.js'],
    });
    const toNothing = await release('deployed', { release: 'v1' }).expect(201);
    expect(toNothing.body.slug).toBeNull();
  });

  it("refuses another app's slug, a slug without its archive, and a body naming both or neither", async () => {
    const elsewhere = await slugOf('neighbour', { web: 'node web.js' });
    const notFound = await release('deployed', { slug: elsewhere }).expect(404);
    expect(notFound.body).toEqual({ id: 'not_found', message: "Couldn't find that slug." });
    await release('deployed', { slug: 'not-a-slug' }).expect(404);
    const pending = await slugOf('deployed', { web: 'x' }, { upload: false });
    const empty = await release('deployed', { slug: pending }).expect(422);
    expect(empty.body).toEqual({
      id: 'invalid_params',
      message: `The slug ${pending} has no archive yet: PUT it to the slug's blob URL first.`,
    });
    const both = await release('deployed', { slug: pending, release: 'v1' }).expect(422);
    expect(both.body.message).toMatch(/either slug .* or release/);
    await release('deployed', {}).expect(422);
    await release('deployed', { release: 'v1', description: 'mine' }).expect(422);
    const stranger = await t.createUser('deploy-stranger@example.com');
    await t
      .http()
      .post('/apps/deployed/releases')
      .set(bearer(stranger.token))
      .send({ slug: elsewhere })
      .expect(403);
  });

  it('releases a slug while the app is in maintenance', async () => {
    await t.http().patch('/apps/neighbour').set(as()).send({ maintenance: true }).expect(200);
    const slug = await slugOf('neighbour', { web: 'node web.js', clock: 'node clock.js' });
    const released = await release('neighbour', { slug }).expect(201);
    expect(released.body.slug).toEqual({ id: slug });
  });

  it('deletes the slugs of a deleted app, and their archives', async () => {
    await t.http().post('/apps').set(as()).send({ name: 'short-lived' }).expect(201);
    const slug = await slugOf('short-lived', { web: 'node web.js' });
    const { blobId } = await t.prisma.slug.findUniqueOrThrow({ where: { id: slug } });
    expect(await t.prisma.blobChunk.count({ where: { blobId } })).toBe(1);
    await t.http().delete('/apps/short-lived').set(as()).expect(200);
    expect(await t.prisma.slug.count({ where: { id: slug } })).toBe(0);
    expect(await t.prisma.blob.count({ where: { id: blobId } })).toBe(0);
    expect(await t.prisma.blobChunk.count({ where: { blobId } })).toBe(0);
  });
});
