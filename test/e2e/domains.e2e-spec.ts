import { defaultDomainId } from '../../src/domains/domain-hostname.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

const FIELDS = [
  'acm_status',
  'acm_status_reason',
  'app',
  'cname',
  'created_at',
  'hostname',
  'id',
  'kind',
  'sni_endpoint',
  'status',
  'updated_at',
];

describe("domains: Heroku's domain API, and routing by custom domain", () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let routerToken: string;

  beforeAll(async () => {
    t = await startTestApp({ APPS_DOMAIN: 'apps.example.test' });
    owner = await t.createUser('domains-owner@example.com');
    other = await t.createUser('domains-other@example.com');
    routerToken = await t.mintToken(['routing']);
  });
  afterAll(() => t.close());

  const createApp = async (name: string, token = owner.token) =>
    (
      await t
        .http()
        .post('/apps')
        .set(bearer(token))
        .send({ name, process_types: { web: 'npm start' } })
        .expect(201)
    ).body as { id: string; name: string };
  const addDomain = (app: string, hostname: unknown, token = owner.token) =>
    t.http().post(`/apps/${app}/domains`).set(bearer(token)).send({ hostname, sni_endpoint: null });
  const routing = (hostOrName: string) =>
    t.http().get(`/routing/v1/apps/${hostOrName}`).set(bearer(routerToken));

  it("lists the app's default domain, adds, shows and removes a custom one, Heroku-shaped", async () => {
    const app = await createApp('domains-api');
    const listed = await t.http().get('/apps/domains-api/domains').set(bearer(owner.token));
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      {
        acm_status: null,
        acm_status_reason: null,
        app: { id: app.id, name: 'domains-api' },
        cname: null,
        created_at: expect.any(String),
        hostname: 'domains-api.apps.example.test',
        id: defaultDomainId(app.id),
        kind: 'heroku',
        sni_endpoint: null,
        status: 'succeeded',
        updated_at: expect.any(String),
      },
    ]);

    const created = await addDomain('domains-api', 'WWW.Example.COM.').expect(201);
    expect(Object.keys(created.body).sort()).toEqual(FIELDS);
    expect(created.body).toMatchObject({
      acm_status: null,
      app: { id: app.id, name: 'domains-api' },
      cname: 'domains-api.apps.example.test',
      hostname: 'www.example.com',
      kind: 'custom',
      sni_endpoint: null,
      status: 'succeeded',
    });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);

    // By id, by host name in any case, with a trailing dot; the default domain too.
    for (const identity of [created.body.id, 'www.example.com', 'WWW.EXAMPLE.COM.']) {
      const found = await t
        .http()
        .get(`/apps/domains-api/domains/${identity}`)
        .set(bearer(owner.token))
        .expect(200);
      expect(found.body).toEqual(created.body);
    }
    for (const identity of [defaultDomainId(app.id), 'domains-api.apps.example.test']) {
      const found = await t
        .http()
        .get(`/apps/domains-api/domains/${identity}`)
        .set(bearer(owner.token))
        .expect(200);
      expect(found.body).toEqual(listed.body[0]);
    }
    const both = await t.http().get('/apps/domains-api/domains').set(bearer(owner.token));
    expect(both.body.map((d: { hostname: string }) => d.hostname).sort()).toEqual([
      'domains-api.apps.example.test',
      'www.example.com',
    ]);
    // The admin sees every app's domains.
    await t.http().get('/apps/domains-api/domains').set(bearer(ADMIN_TOKEN)).expect(200);

    // No release is cut for a domain (as on Heroku); the events name the host.
    const releases = await t.prisma.release.count({ where: { appId: app.id } });
    const removed = await t
      .http()
      .delete('/apps/domains-api/domains/www.example.com')
      .set(bearer(owner.token))
      .expect(200);
    expect(removed.body).toEqual(created.body);
    await t
      .http()
      .get(`/apps/domains-api/domains/${created.body.id}`)
      .set(bearer(owner.token))
      .expect(404, { id: 'not_found', message: "Couldn't find that domain." });
    await t
      .http()
      .delete('/apps/domains-api/domains/www.example.com')
      .set(bearer(owner.token))
      .expect(404);
    expect(await t.prisma.domain.count({ where: { appId: app.id } })).toBe(0);
    expect(await t.prisma.release.count({ where: { appId: app.id } })).toBe(releases);
    const events = await t.prisma.event.findMany({
      where: { appId: app.id, action: { startsWith: 'domain.' } },
      orderBy: { version: 'asc' },
    });
    expect(events.map((e) => [e.action, e.data])).toEqual([
      ['domain.create', { domain_id: created.body.id, hostname: 'www.example.com' }],
      ['domain.destroy', { domain_id: created.body.id, hostname: 'www.example.com' }],
    ]);
  });

  it('refuses to remove the default domain', async () => {
    const app = await createApp('domains-default');
    for (const identity of ['domains-default.apps.example.test', defaultDomainId(app.id)]) {
      const refused = await t
        .http()
        .delete(`/apps/domains-default/domains/${identity}`)
        .set(bearer(owner.token))
        .expect(422);
      expect(refused.body).toEqual({
        id: 'invalid_params',
        message: expect.stringMatching(/default domain of domains-default; it cannot be removed/),
      });
    }
  });

  it('pages with Range like every list, the default domain in its place by id', async () => {
    await createApp('domains-paged');
    for (const n of [1, 2, 3, 4])
      await addDomain('domains-paged', `n${n}.paged.example`).expect(201);
    const seen: string[] = [];
    let range = 'id ..; max=2;';
    for (let page = 0; page < 5; page++) {
      const response = await t
        .http()
        .get('/apps/domains-paged/domains')
        .set(bearer(owner.token))
        .set('Range', range);
      seen.push(...response.body.map((d: { id: string }) => d.id));
      if (response.status === 200) break;
      expect(response.status).toBe(206);
      expect(response.body).toHaveLength(2);
      range = response.headers['next-range'];
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual(seen);
    const all = await t.http().get('/apps/domains-paged/domains').set(bearer(owner.token));
    expect(all.body.map((d: { id: string }) => d.id)).toEqual(seen);
    expect(all.body.filter((d: { kind: string }) => d.kind === 'heroku')).toHaveLength(1);
    await t
      .http()
      .get('/apps/domains-paged/domains')
      .set(bearer(owner.token))
      .set('Range', 'hostname ..')
      .expect(416);
  });

  it('refuses malformed names, wildcards, IP addresses and names under APPS_DOMAIN with 422', async () => {
    await createApp('domains-bad');
    const refusals: [unknown, RegExp][] = [
      ['localhost', /not a full host name/],
      ['bad_label.example.com', /not a valid host name/],
      ['-x.example.com', /not a valid host name/],
      [`${'a'.repeat(64)}.example.com`, /1 to 63 letters/],
      [`${'abcdefghi.'.repeat(26)}com`, /at most 253/],
      ['*.example.com', /wildcard/],
      ['10.1.2.3', /IP address/],
      ['[::1]', /IP addresses/],
      ['www.example.com:443', /IP addresses and ports/],
      ['domains-api.apps.example.test', /under apps\.example\.test/],
      ['apps.example.test', /under apps\.example\.test/],
      ['', /empty/],
      [42, /hostname/],
    ];
    for (const [hostname, pattern] of refusals) {
      const response = await addDomain('domains-bad', hostname);
      expect([hostname, response.status]).toEqual([hostname, 422]);
      expect(response.body).toEqual({ id: 'invalid_params', message: expect.any(String) });
      expect(response.body.message).toMatch(pattern);
    }
    const noHostname = await t
      .http()
      .post('/apps/domains-bad/domains')
      .set(bearer(owner.token))
      .send({})
      .expect(422);
    expect(noHostname.body.id).toBe('invalid_params');
    const withCert = await t
      .http()
      .post('/apps/domains-bad/domains')
      .set(bearer(owner.token))
      .send({ hostname: 'secure.example.com', sni_endpoint: 'my-cert' })
      .expect(422);
    expect(withCert.body.message).toMatch(/no SNI endpoints/);
    expect(await t.prisma.domain.count({ where: { app: { name: 'domains-bad' } } })).toBe(0);
  });

  it('gives a host name to one app at most: 409 when taken, by this app or another', async () => {
    await createApp('domains-first');
    await createApp('domains-second');
    await addDomain('domains-first', 'shop.example.org').expect(201);
    const again = await addDomain('domains-first', 'Shop.Example.org').expect(409);
    expect(again.body).toEqual({
      id: 'conflict',
      message: 'shop.example.org is already a domain of domains-first.',
    });
    const taken = await addDomain('domains-second', 'shop.example.org.').expect(409);
    expect(taken.body).toEqual({
      id: 'conflict',
      message: 'shop.example.org is already in use by another app.',
    });
    // Racing adds of one name from two apps: one wins, the other hears 409, none a 500.
    const raced = await Promise.all([
      addDomain('domains-first', 'race.example.org'),
      addDomain('domains-second', 'race.example.org'),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await t.prisma.domain.count({ where: { hostname: 'race.example.org' } })).toBe(1);
    // Once removed, the name is free for another app.
    await t
      .http()
      .delete('/apps/domains-first/domains/shop.example.org')
      .set(bearer(owner.token))
      .expect(200);
    await addDomain('domains-second', 'shop.example.org').expect(201);
  });

  it("answers 403 for another user's app and 404 for an unknown app", async () => {
    await createApp('domains-private');
    await addDomain('domains-private', 'private.example.net').expect(201);
    await addDomain('domains-private', 'steal.example.net', other.token).expect(403);
    await t.http().get('/apps/domains-private/domains').set(bearer(other.token)).expect(403);
    await t
      .http()
      .get('/apps/domains-private/domains/private.example.net')
      .set(bearer(other.token))
      .expect(403);
    await t
      .http()
      .delete('/apps/domains-private/domains/private.example.net')
      .set(bearer(other.token))
      .expect(403);
    await t.http().get('/apps/domains-private/sni-endpoints').set(bearer(other.token)).expect(403);
    await t.http().get('/apps/no-such-app/domains').set(bearer(owner.token)).expect(404);
    await addDomain('no-such-app', 'x.example.net').expect(404);
    await t
      .http()
      .get('/apps/domains-private/sni-endpoints')
      .set(bearer(owner.token))
      .expect(200, []);
    expect(await t.prisma.domain.count({ where: { hostname: 'steal.example.net' } })).toBe(0);
  });

  it("puts custom domains in the app's routing entry and finds the app by them", async () => {
    const app = await createApp('domains-routed');
    await addDomain('domains-routed', 'www.routed.example').expect(201);
    await addDomain('domains-routed', 'api.routed.example').expect(201);
    // The add answers once this replica's view has it: no wait needed.
    const entry = await routing('domains-routed').expect(200);
    expect(entry.body.hosts).toEqual([
      'domains-routed.apps.example.test',
      'api.routed.example',
      'www.routed.example',
    ]);
    for (const host of ['www.routed.example', 'WWW.Routed.Example:8080', 'api.routed.example.']) {
      const found = await routing(encodeURIComponent(host)).expect(200);
      expect(found.body.id).toBe(app.id);
    }
    const snapshot = await t
      .http()
      .get('/routing/v1/snapshot')
      .set(bearer(routerToken))
      .expect(200);
    const inSnapshot = (snapshot.body.apps as { id: string; hosts: string[] }[]).find(
      (a) => a.id === app.id,
    );
    expect(inSnapshot?.hosts).toContain('www.routed.example');

    await t
      .http()
      .delete('/apps/domains-routed/domains/www.routed.example')
      .set(bearer(owner.token))
      .expect(200);
    await routing('www.routed.example').expect(404);
    expect((await routing('domains-routed').expect(200)).body.hosts).toEqual([
      'domains-routed.apps.example.test',
      'api.routed.example',
    ]);
  });

  it('keeps custom domains through a rename; the default domain and cname follow the name', async () => {
    const app = await createApp('domains-before');
    const created = await addDomain('domains-before', 'keep.example.com').expect(201);
    await t
      .http()
      .patch('/apps/domains-before')
      .set(bearer(owner.token))
      .send({ name: 'domains-after' })
      .expect(200);
    const listed = await t.http().get('/apps/domains-after/domains').set(bearer(owner.token));
    const byKind = Object.fromEntries(
      listed.body.map((d: { kind: string }) => [d.kind, d]),
    ) as Record<string, { id: string; hostname: string; cname: string | null }>;
    expect(byKind.heroku).toMatchObject({
      id: defaultDomainId(app.id),
      hostname: 'domains-after.apps.example.test',
    });
    expect(byKind.custom).toMatchObject({
      id: created.body.id,
      hostname: 'keep.example.com',
      cname: 'domains-after.apps.example.test',
    });
    await eventually(async () => {
      const found = await routing('keep.example.com').expect(200);
      expect(found.body).toMatchObject({
        name: 'domains-after',
        hosts: ['domains-after.apps.example.test', 'keep.example.com'],
      });
    });
    await routing('domains-before.apps.example.test').expect(404);
  });

  it('drops the domains with their app, freeing the names', async () => {
    await createApp('domains-doomed');
    await addDomain('domains-doomed', 'doomed.example.com').expect(201);
    await t.http().delete('/apps/domains-doomed').set(bearer(owner.token)).expect(200);
    expect(await t.prisma.domain.count({ where: { hostname: 'doomed.example.com' } })).toBe(0);
    await eventually(() => routing('doomed.example.com').expect(404));
    await createApp('domains-heir');
    await addDomain('domains-heir', 'doomed.example.com').expect(201);
  });
});
