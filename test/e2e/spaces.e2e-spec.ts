import { bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('spaces', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('space-owner@example.com');
    other = await t.createUser('space-other@example.com');
  });
  afterAll(() => t.close());

  it("creates a space in Heroku's shape", async () => {
    const response = await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'nasa', shield: true, team: 'ignored' })
      .expect(201);
    expect(response.body).toMatchObject({
      name: 'nasa',
      shield: true,
      state: 'allocated',
      region: { name: 'us' },
      team: { id: owner.id, name: 'space-owner@example.com' },
    });
    const info = await t.http().get('/spaces/nasa').set(bearer(owner.token)).expect(200);
    expect(info.body.id).toBe(response.body.id);
    await t.http().get(`/spaces/${response.body.id}`).set(bearer(owner.token)).expect(200);
  });

  it('refuses bad and duplicate names with 422', async () => {
    for (const name of ['Nasa', 'a--b', '-ab', 'x', 'a'.repeat(31), 7]) {
      const response = await t
        .http()
        .post('/spaces')
        .set(bearer(owner.token))
        .send({ name })
        .expect(422);
      expect(response.body.id).toBe('invalid_params');
    }
    await t.http().post('/spaces').set(bearer(owner.token)).send({ name: 'dup-space' }).expect(201);
    const duplicate = await t
      .http()
      .post('/spaces')
      .set(bearer(other.token))
      .send({ name: 'dup-space' })
      .expect(422);
    expect(duplicate.body.message).toBe('Name dup-space is already taken');
  });

  it('creates apps in a space; they carry it and its region', async () => {
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'eu-space', region: 'eu' })
      .expect(201);
    const app = await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'spaced-app', space: 'eu-space', region: 'us' })
      .expect(201);
    expect(app.body.space).toMatchObject({ name: 'eu-space', shield: false });
    expect(app.body.region.name).toBe('eu');
    expect(app.body.internal_routing).toBe(false);
  });

  it("refuses an app in a space that does not exist or is someone else's, and creates nothing", async () => {
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'lost-app', space: 'no-such-space' })
      .expect(404);
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'private-one' })
      .expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(other.token))
      .send({ name: 'intruder-app', space: 'private-one' })
      .expect(403);
    expect(
      await t.prisma.app.count({ where: { name: { in: ['lost-app', 'intruder-app'] } } }),
    ).toBe(0);
  });

  it("lists only the caller's spaces and hides others' with 403", async () => {
    await t
      .http()
      .post('/spaces')
      .set(bearer(other.token))
      .send({ name: 'others-space' })
      .expect(201);
    const list = await t.http().get('/spaces').set(bearer(owner.token)).expect(200);
    expect(list.body.map((s: { name: string }) => s.name)).not.toContain('others-space');
    await t.http().get('/spaces/others-space').set(bearer(owner.token)).expect(403);
    await t.http().get('/spaces/never-made').set(bearer(owner.token)).expect(404);
  });

  it('deletes only an empty space', async () => {
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'busy-space' })
      .expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'busy-app', space: 'busy-space' })
      .expect(201);
    const refused = await t
      .http()
      .delete('/spaces/busy-space')
      .set(bearer(owner.token))
      .expect(422);
    expect(refused.body.message).toMatch(/still has apps/);
    await t.http().delete('/apps/busy-app').set(bearer(owner.token)).expect(200);
    await t.http().delete('/spaces/busy-space').set(bearer(owner.token)).expect(200);
    await t.http().get('/spaces/busy-space').set(bearer(owner.token)).expect(404);
  });
  it('sends the region in full with Accept-Expansion: region, and a reference without', async () => {
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'expanded', region: 'eu' })
      .expect(201);
    const plain = await t.http().get('/spaces/expanded').set(bearer(owner.token)).expect(200);
    expect(plain.body.region).toEqual({ id: 'ed30241c-ed8c-4bb6-9714-61953675d0b4', name: 'eu' });
    const expanded = await t
      .http()
      .get('/spaces/expanded')
      .set(bearer(owner.token))
      .set('Accept-Expansion', 'region')
      .expect(200);
    expect(expanded.body.region).toEqual({
      country: 'European Union',
      created_at: '2026-11-27T00:00:00.000Z',
      description: 'Europe',
      id: 'ed30241c-ed8c-4bb6-9714-61953675d0b4',
      locale: 'Europe',
      name: 'eu',
      private_capable: true,
      provider: { name: 'drydock', region: 'eu' },
      updated_at: '2026-11-27T00:00:00.000Z',
    });
    expect({ ...expanded.body, region: plain.body.region }).toEqual(plain.body);
    const region = await t.http().get('/regions/eu').set(bearer(owner.token)).expect(200);
    expect(expanded.body.region).toEqual(region.body);
  });

  it('serves the NAT of a space, disabled with no sources, to those who may see the space', async () => {
    const space = await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'natted' })
      .expect(201);
    const nat = await t.http().get('/spaces/natted/nat').set(bearer(owner.token)).expect(200);
    expect(nat.body).toEqual({
      created_at: space.body.created_at,
      sources: [],
      state: 'disabled',
      updated_at: space.body.updated_at,
    });
    await t.http().get(`/spaces/${space.body.id}/nat`).set(bearer(owner.token)).expect(200);
    const refused = await t.http().get('/spaces/natted/nat').set(bearer(other.token)).expect(403);
    expect(refused.body.id).toBe('forbidden');
    const missing = await t
      .http()
      .get('/spaces/never-made/nat')
      .set(bearer(owner.token))
      .expect(404);
    expect(missing.body).toEqual({ id: 'not_found', message: "Couldn't find that space." });
  });

  it("refuses to delete someone else's space and keeps it", async () => {
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'kept-space' })
      .expect(201);
    await t.http().delete('/spaces/kept-space').set(bearer(other.token)).expect(403);
    await t.http().get('/spaces/kept-space').set(bearer(owner.token)).expect(200);
  });
});
