import { bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('config vars and releases', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('config-owner@example.com');
    other = await t.createUser('config-other@example.com');
    await t.http().post('/apps').set(bearer(owner.token)).send({ name: 'config-app' }).expect(201);
  });
  afterAll(() => t.close());

  const patch = (body: unknown, token = owner.token) =>
    t
      .http()
      .patch('/apps/config-app/config-vars')
      .set(bearer(token))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
  const releases = () =>
    t.prisma.release.findMany({
      where: { app: { name: 'config-app' } },
      orderBy: { version: 'asc' },
    });

  it('starts empty with release v1', async () => {
    await t.http().get('/apps/config-app/config-vars').set(bearer(owner.token)).expect(200, {});
    expect((await releases()).map((r) => [r.version, r.description])).toEqual([
      [1, 'Initial release'],
    ]);
  });

  it('sets vars, answers with all of them, and makes release v2 by its author', async () => {
    const response = await patch({ FOO: 'bar', DATABASE_URL: 'postgres://u:p@db/x' }).expect(200);
    expect(response.body).toEqual({ DATABASE_URL: 'postgres://u:p@db/x', FOO: 'bar' });
    const v2 = (await releases())[1];
    expect(v2).toMatchObject({
      version: 2,
      description: 'Set FOO, DATABASE_URL config vars',
      userId: owner.id,
    });
  });

  it('stores values encrypted, never in the clear', async () => {
    const rows = await t.prisma.configVar.findMany({ where: { app: { name: 'config-app' } } });
    expect(rows.length).toBe(2);
    for (const row of rows) {
      expect(row.value).toMatch(/^v2\.[0-9a-f]{12}\./);
      expect(row.value).not.toContain('bar');
      expect(row.value).not.toContain('postgres');
    }
    const [latest] = await t.prisma.release.findMany({
      where: { app: { name: 'config-app' } },
      orderBy: { version: 'desc' },
      take: 1,
    });
    expect(latest.configVars).not.toContain('postgres');
    const events = await t.prisma.event.findMany({
      where: { appName: 'config-app', action: 'config.update' },
    });
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('postgres://');
  });

  it('removes a var with null ("Remove FOO config vars")', async () => {
    const response = await patch({ FOO: null }).expect(200);
    expect(response.body).toEqual({ DATABASE_URL: 'postgres://u:p@db/x' });
    expect((await releases()).at(-1)).toMatchObject({
      version: 3,
      description: 'Remove FOO config vars',
    });
  });

  it('makes no release when nothing changes', async () => {
    const before = (await releases()).length;
    await patch({ DATABASE_URL: 'postgres://u:p@db/x', NEVER_SET: null }).expect(200);
    expect((await releases()).length).toBe(before);
  });

  it('accepts http(s) and scheme-relative MAINTENANCE_PAGE_URL values', async () => {
    for (const url of [
      'https://pages.example.com/down.html',
      '//s3.amazonaws.com/bucket/page.html',
    ]) {
      const response = await patch({ MAINTENANCE_PAGE_URL: url }).expect(200);
      expect(response.body.MAINTENANCE_PAGE_URL).toBe(url);
    }
  });

  it('refuses bad input with 422 and changes nothing', async () => {
    const before = await releases();
    const bodies: unknown[] = [
      { MAINTENANCE_PAGE_URL: 'ftp://example.com/page' },
      { MAINTENANCE_PAGE_URL: 'not a url' },
      { 'BAD-KEY': 'x' },
      { COUNT: 3 },
      { FLAG: true },
      { NESTED: { a: 1 } },
      { OK_KEY: 'fine', 'BAD KEY': 'x' },
      ['FOO=bar'],
      'FOO=bar',
      {},
      { HUGE: 'x'.repeat(40 * 1024) },
    ];
    for (const body of bodies) {
      const response = await patch(body).expect(422);
      expect(response.body.id).toBe('invalid_params');
    }
    expect(await releases()).toEqual(before);
    const vars = await t
      .http()
      .get('/apps/config-app/config-vars')
      .set(bearer(owner.token))
      .expect(200);
    expect(vars.body.OK_KEY).toBeUndefined();
  });

  it('refuses a MAINTENANCE_PAGE_URL that names the local network, with 422 saying why, and changes nothing', async () => {
    const before = await releases();
    const stored = await t.http().get('/apps/config-app/config-vars').set(bearer(owner.token));
    for (const [url, why] of [
      ['http://127.0.0.1:3000/docs-json', '127.0.0.1 is a loopback address'],
      ['http://0x7f000001/', '127.0.0.1 is a loopback address'],
      ['http://2130706433/admin', '127.0.0.1 is a loopback address'],
      ['http://localhost:5432/', 'localhost is a loopback host name'],
      ['//169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
      ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1 is an IPv4-mapped form of 10.0.0.1'],
    ]) {
      const response = await patch({ MAINTENANCE_PAGE_URL: url }).expect(422);
      expect(response.body.id).toBe('invalid_params');
      expect(response.body.message).toContain(
        `MAINTENANCE_PAGE_URL must point at a public address: ${why}`,
      );
      expect(response.body.message).toContain('MAINTENANCE_PAGE_ALLOWED_HOSTS');
    }
    expect(await releases()).toEqual(before);
    const after = await t.http().get('/apps/config-app/config-vars').set(bearer(owner.token));
    expect(after.body).toEqual(stored.body);
    expect(after.body.MAINTENANCE_PAGE_URL).toBe('//s3.amazonaws.com/bucket/page.html');
  });

  it("refuses someone else's app", async () => {
    await t.http().get('/apps/config-app/config-vars').set(bearer(other.token)).expect(403);
    await patch({ X: 'y' }, other.token).expect(403);
    await t.http().get('/apps/config-app/releases').set(bearer(other.token)).expect(403);
  });

  describe('releases API', () => {
    it("lists releases in Heroku's shape, oldest first", async () => {
      const response = await t
        .http()
        .get('/apps/config-app/releases')
        .set(bearer(owner.token))
        .expect(200);
      const versions = response.body.map((r: { version: number }) => r.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      const latest = response.body.at(-1);
      expect(latest).toMatchObject({
        app: { name: 'config-app' },
        status: 'succeeded',
        current: true,
        user: { id: owner.id, email: 'config-owner@example.com' },
        addon_plan_names: [],
        slug: null,
      });
      expect(response.body.filter((r: { current: boolean }) => r.current)).toHaveLength(1);
    });

    it('answers the newest release for `Range: version ..; order=desc,max=1` (what config:set asks)', async () => {
      const count = (await releases()).length;
      const response = await t
        .http()
        .get('/apps/config-app/releases')
        .set(bearer(owner.token))
        .set('Range', 'version ..; order=desc,max=1')
        .expect(206);
      expect(response.body.map((r: { version: number }) => r.version)).toEqual([count]);
      expect(response.headers['next-range']).toBe(`version ]${count}..; max=1, order=desc`);
    });

    it('finds a release by version, vN and id, with its config vars', async () => {
      const v2 = await t
        .http()
        .get('/apps/config-app/releases/2')
        .set(bearer(owner.token))
        .expect(200);
      expect(v2.body.description).toBe('Set FOO, DATABASE_URL config vars');
      await t.http().get('/apps/config-app/releases/v2').set(bearer(owner.token)).expect(200);
      await t
        .http()
        .get(`/apps/config-app/releases/${v2.body.id}`)
        .set(bearer(owner.token))
        .expect(200);
      const vars = await t
        .http()
        .get('/apps/config-app/releases/2/config-vars')
        .set(bearer(owner.token))
        .expect(200);
      expect(vars.body).toEqual({ DATABASE_URL: 'postgres://u:p@db/x', FOO: 'bar' });
      const v1vars = await t
        .http()
        .get('/apps/config-app/releases/1/config-vars')
        .set(bearer(owner.token))
        .expect(200);
      expect(v1vars.body).toEqual({});
    });

    it('answers 404 for unknown releases', async () => {
      for (const id of ['999', 'v0', 'latest', '00000000-0000-4000-8000-000000000000']) {
        const response = await t
          .http()
          .get(`/apps/config-app/releases/${id}`)
          .set(bearer(owner.token))
          .expect(404);
        expect(response.body.id).toBe('not_found');
      }
    });
  });

  describe('large patches', () => {
    const bulk = (body: unknown) =>
      t
        .http()
        .patch('/apps/bulk-app/config-vars')
        .set(bearer(owner.token))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
    const keys = (count: number) =>
      Array.from({ length: count }, (_, i) => `K${String(i).padStart(4, '0')}`);
    const bulkReleases = () =>
      t.prisma.release.findMany({
        where: { app: { name: 'bulk-app' } },
        orderBy: { version: 'asc' },
      });

    beforeAll(async () => {
      await t.http().post('/apps').set(bearer(owner.token)).send({ name: 'bulk-app' }).expect(201);
    });

    it('sets 2,000 vars in one release with a description that stays readable', async () => {
      const names = keys(2000);
      const response = await bulk(Object.fromEntries(names.map((key, i) => [key, `v${i}`]))).expect(
        200,
      );
      expect(Object.keys(response.body)).toHaveLength(2000);
      const stored = await t
        .http()
        .get('/apps/bulk-app/config-vars')
        .set(bearer(owner.token))
        .expect(200);
      expect(stored.body).toEqual(Object.fromEntries(names.map((key, i) => [key, `v${i}`])));
      const all = await bulkReleases();
      expect(all.map((release) => release.version)).toEqual([1, 2]);
      expect(all[1].description).toMatch(/^Set K0000, K0001, .* and 1,9\d\d more config vars$/);
      expect(all[1].description.length).toBeLessThanOrEqual(200);
    });

    it('removes 2,000 vars in one release', async () => {
      const response = await bulk(Object.fromEntries(keys(2000).map((key) => [key, null]))).expect(
        200,
      );
      expect(response.body).toEqual({});
      expect(await t.prisma.configVar.count({ where: { app: { name: 'bulk-app' } } })).toBe(0);
      const all = await bulkReleases();
      expect(all).toHaveLength(3);
      expect(all[2].description).toMatch(/^Remove K0000, .* and 1,9\d\d more config vars$/);
    });

    it('refuses more than 2,000 keys in one patch and writes nothing', async () => {
      const response = await bulk(Object.fromEntries(keys(2001).map((key) => [key, 'x']))).expect(
        422,
      );
      expect(response.body).toEqual({
        id: 'invalid_params',
        message: expect.stringMatching(/2,001 config vars .* at most 2,000/),
      });
      expect(await t.prisma.configVar.count({ where: { app: { name: 'bulk-app' } } })).toBe(0);
      expect(await bulkReleases()).toHaveLength(3);
    });
  });
});
