import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('apps', () => {
  let t: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.createUser('alice@example.com');
    bob = await t.createUser('bob@example.com');
  });
  afterAll(() => t.close());

  const create = (token: string, body: object) =>
    t.http().post('/apps').set(bearer(token)).send(body);

  describe('POST /apps', () => {
    it("creates an app in Heroku's shape with release v1 and records the events", async () => {
      const response = await create(alice.token, { name: 'myapp' }).expect(201);
      expect(response.body).toMatchObject({
        name: 'myapp',
        maintenance: false,
        owner: { id: alice.id, email: 'alice@example.com' },
        region: { name: 'us' },
        stack: { name: 'heroku-24' },
        build_stack: { name: 'heroku-24' },
        space: null,
        team: null,
        organization: null,
        acm: false,
        web_url: 'https://myapp.localhost/',
        // As the Heroku CLI makes it: https, the host the API was reached at.
        git_url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/myapp\.git$/),
        repo_size: null,
        slug_size: null,
      });
      expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
      const events = await t.prisma.event.findMany({
        where: { appId: response.body.id },
        orderBy: { version: 'asc' },
      });
      expect(events.map((e) => [e.action, e.actorId])).toEqual([
        ['app.create', alice.id],
        ['release.create', alice.id],
      ]);
      const releases = await t.prisma.release.findMany({ where: { appId: response.body.id } });
      expect(releases.map((r) => [r.version, r.description])).toEqual([[1, 'Initial release']]);
      expect(response.body.released_at).toBe(releases[0].createdAt.toISOString());
    });

    it('generates a Heroku-style name when none is given', async () => {
      const response = await create(alice.token, {}).expect(201);
      expect(response.body.name).toMatch(/^[a-z]+-[a-z]+-\d{5}$/);
    });

    it('accepts an empty body, as `heroku apps:create` without a name sends', async () => {
      const response = await t.http().post('/apps').set(bearer(alice.token)).expect(201);
      expect(response.body.name).toMatch(/^[a-z]+-[a-z]+-\d{5}$/);
    });

    it('takes region and stack', async () => {
      const response = await create(alice.token, {
        name: 'in-europe',
        region: 'eu',
        stack: 'heroku-22',
      }).expect(201);
      expect(response.body.region.name).toBe('eu');
      expect(response.body.stack.name).toBe('heroku-22');
    });

    it('refuses names that break the rules with 422 and creates nothing', async () => {
      for (const name of ['ab', 'My-App', '1app', 'app-', 'a'.repeat(31), 'my_app', 42, '']) {
        const response = await create(alice.token, { name }).expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
      expect(
        await t.prisma.app.count({ where: { name: { in: ['ab', 'my-app', 'my_app'] } } }),
      ).toBe(0);
    });

    it('refuses a duplicate name with 422, whoever owns it', async () => {
      await create(alice.token, { name: 'taken' }).expect(201);
      const response = await create(bob.token, { name: 'taken' }).expect(422);
      expect(response.body).toEqual({
        id: 'invalid_params',
        message: 'Name taken is already taken',
      });
      expect(await t.prisma.app.count({ where: { name: 'taken' } })).toBe(1);
    });

    it('lets exactly one of many parallel creates of a name win', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => create(alice.token, { name: 'race-app' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422, 422, 422, 422]);
      expect(
        await t.prisma.event.count({ where: { appName: 'race-app', action: 'app.create' } }),
      ).toBe(1);
    });

    it('refuses unknown fields, unknown regions and stacks with 422', async () => {
      for (const body of [
        { name: 'x-app', colour: 'red' },
        { region: 'mars' },
        { stack: 'cedar-14' },
        { space: 42 },
      ]) {
        const response = await create(alice.token, body).expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
    });

    it('refuses malformed JSON with 400 and a non-JSON body with 415', async () => {
      const malformed = await t
        .http()
        .post('/apps')
        .set(bearer(alice.token))
        .set('Content-Type', 'application/json')
        .send('{"name": "x"')
        .expect(400);
      expect(malformed.body).toEqual({
        id: 'bad_request',
        message: 'Request body is not valid JSON.',
      });
      const form = await t
        .http()
        .post('/apps')
        .set(bearer(alice.token))
        .set('Content-Type', 'text/plain')
        .send('name=x')
        .expect(415);
      expect(form.body.id).toBe('unsupported_media_type');
      const array = await t.http().post('/apps').set(bearer(alice.token)).send([1, 2]).expect(422);
      expect(array.body.id).toBe('invalid_params');
    });

    it('refuses prototype pollution attempts', async () => {
      const response = await t
        .http()
        .post('/apps')
        .set(bearer(alice.token))
        .set('Content-Type', 'application/json')
        .send('{"__proto__": {"admin": true}}');
      expect(response.status).toBe(400);
      expect(response.body.id).toBe('bad_request');
    });

    it('refuses a body over the size limit with 413', async () => {
      const response = await t
        .http()
        .post('/apps')
        .set(bearer(alice.token))
        .send({ name: 'big', padding: 'x'.repeat(2 * 1024 * 1024) })
        .expect(413);
      expect(response.body).toEqual({
        id: 'request_entity_too_large',
        message: 'Request body is too large.',
      });
    });
  });

  describe('GET /apps/{id_or_name}', () => {
    it('finds an app by name or by id', async () => {
      const created = await create(alice.token, { name: 'findme' }).expect(201);
      await t.http().get('/apps/findme').set(bearer(alice.token)).expect(200);
      const byId = await t
        .http()
        .get(`/apps/${created.body.id}`)
        .set(bearer(alice.token))
        .expect(200);
      expect(byId.body.name).toBe('findme');
    });

    it('answers 404 not_found for an app that does not exist', async () => {
      const response = await t.http().get('/apps/no-such-app').set(bearer(alice.token)).expect(404);
      expect(response.body).toEqual({ id: 'not_found', message: "Couldn't find that app." });
      await t
        .http()
        .get('/apps/00000000-0000-4000-8000-000000000000')
        .set(bearer(alice.token))
        .expect(404);
    });

    it("answers 403 forbidden for someone else's app, and admins see every app", async () => {
      await create(alice.token, { name: 'alices-app' }).expect(201);
      const response = await t.http().get('/apps/alices-app').set(bearer(bob.token)).expect(403);
      expect(response.body).toEqual({
        id: 'forbidden',
        message: 'You do not have access to the app alices-app.',
      });
      await t.http().get('/apps/alices-app').set(bearer(ADMIN_TOKEN)).expect(200);
    });
  });

  describe('GET /apps', () => {
    it("lists only the caller's apps", async () => {
      await create(bob.token, { name: 'bobs-only-app' }).expect(201);
      const bobs = await t.http().get('/apps').set(bearer(bob.token)).expect(200);
      expect(bobs.body.map((a: { name: string }) => a.name)).toEqual(['bobs-only-app']);
      const alices = await t.http().get('/apps').set(bearer(alice.token)).expect(200);
      expect(alices.body.map((a: { name: string }) => a.name)).not.toContain('bobs-only-app');
    });
  });

  describe('GET /users/{account}/apps', () => {
    it('lists your own apps with ~, your email or your id', async () => {
      await create(bob.token, { name: 'bob-listed' }).expect(201);
      for (const who of ['~', 'bob@example.com', bob.id]) {
        const response = await t
          .http()
          .get(`/users/${who}/apps`)
          .set(bearer(bob.token))
          .expect(200);
        expect(response.body.map((a: { name: string }) => a.name)).toContain('bob-listed');
        expect(response.body.every((a: { owner: { id: string } }) => a.owner.id === bob.id)).toBe(
          true,
        );
      }
    });

    it("refuses someone else's list, but not to an admin", async () => {
      await t.http().get('/users/alice@example.com/apps').set(bearer(bob.token)).expect(403);
      const asAdmin = await t
        .http()
        .get('/users/alice@example.com/apps')
        .set(bearer(ADMIN_TOKEN))
        .expect(200);
      expect(asAdmin.body.length).toBeGreaterThan(0);
      await t.http().get('/users/nobody@example.com/apps').set(bearer(ADMIN_TOKEN)).expect(404);
    });
  });

  describe('POST /teams/apps (apps:create --space)', () => {
    it('creates an app in a space', async () => {
      await t
        .http()
        .post('/spaces')
        .set(bearer(alice.token))
        .send({ name: 'team-form-space' })
        .expect(201);
      const response = await t
        .http()
        .post('/teams/apps')
        .set(bearer(alice.token))
        .send({ name: 'team-form-app', space: 'team-form-space' })
        .expect(201);
      expect(response.body.space.name).toBe('team-form-space');
    });

    it('refuses a team, which drydock does not have', async () => {
      const response = await t
        .http()
        .post('/teams/apps')
        .set(bearer(alice.token))
        .send({ name: 'team-app', team: 'acme' })
        .expect(422);
      expect(response.body.message).toMatch(/no teams/);
      expect(await t.prisma.app.count({ where: { name: 'team-app' } })).toBe(0);
    });
  });

  describe('GET /apps/{app}/addons', () => {
    it('is empty for your app and guarded like the app', async () => {
      await create(alice.token, { name: 'addon-less' }).expect(201);
      await t.http().get('/apps/addon-less/addons').set(bearer(alice.token)).expect(200, []);
      await t.http().get('/apps/addon-less/addons').set(bearer(bob.token)).expect(403);
      await t.http().get('/apps/nope-nope/addons').set(bearer(bob.token)).expect(404);
    });
  });

  describe('PATCH /apps/{id_or_name}', () => {
    it('renames an app and records the rename', async () => {
      const created = await create(alice.token, { name: 'old-name' }).expect(201);
      const response = await t
        .http()
        .patch('/apps/old-name')
        .set(bearer(alice.token))
        .send({ name: 'new-name' })
        .expect(200);
      expect(response.body).toMatchObject({
        id: created.body.id,
        name: 'new-name',
        web_url: 'https://new-name.localhost/',
      });
      await t.http().get('/apps/old-name').set(bearer(alice.token)).expect(404);
      const rename = await t.prisma.event.findFirstOrThrow({
        where: { appId: created.body.id, action: 'app.rename' },
      });
      expect(rename.data).toEqual({ from: 'old-name', to: 'new-name' });
    });

    it('refuses a rename to a taken or invalid name and keeps the old one', async () => {
      await create(alice.token, { name: 'keep-a' }).expect(201);
      await create(alice.token, { name: 'keep-b' }).expect(201);
      const taken = await t
        .http()
        .patch('/apps/keep-a')
        .set(bearer(alice.token))
        .send({ name: 'keep-b' })
        .expect(422);
      expect(taken.body.message).toBe('Name keep-b is already taken');
      await t
        .http()
        .patch('/apps/keep-a')
        .set(bearer(alice.token))
        .send({ name: 'Keep_B' })
        .expect(422);
      await t.http().get('/apps/keep-a').set(bearer(alice.token)).expect(200);
    });

    it("refuses to rename someone else's app", async () => {
      await create(alice.token, { name: 'not-bobs' }).expect(201);
      await t
        .http()
        .patch('/apps/not-bobs')
        .set(bearer(bob.token))
        .send({ name: 'bobs-now' })
        .expect(403);
      await t.http().get('/apps/not-bobs').set(bearer(alice.token)).expect(200);
    });
  });

  describe('DELETE /apps/{id_or_name}', () => {
    it('deletes an app and answers with it', async () => {
      await create(alice.token, { name: 'doomed' }).expect(201);
      const response = await t.http().delete('/apps/doomed').set(bearer(alice.token)).expect(200);
      expect(response.body.name).toBe('doomed');
      await t.http().get('/apps/doomed').set(bearer(alice.token)).expect(404);
      await t.http().delete('/apps/doomed').set(bearer(alice.token)).expect(404);
      expect(
        await t.prisma.event.count({ where: { appName: 'doomed', action: 'app.destroy' } }),
      ).toBe(1);
    });

    it("refuses to delete someone else's app", async () => {
      await create(alice.token, { name: 'survivor' }).expect(201);
      await t.http().delete('/apps/survivor').set(bearer(bob.token)).expect(403);
      await t.http().get('/apps/survivor').set(bearer(alice.token)).expect(200);
    });

    it('accepts Content-Type: application/json with an empty body', async () => {
      await create(alice.token, { name: 'empty-body' }).expect(201);
      await t
        .http()
        .delete('/apps/empty-body')
        .set(bearer(alice.token))
        .set('Content-Type', 'application/json')
        .expect(200);
    });
  });
});
