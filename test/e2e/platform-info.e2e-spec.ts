import { REGIONS } from '../../src/common/heroku/catalogue.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** Heroku's platform catalogue (regions) and the add-on lists drydock answers empty. */
describe('platform info', () => {
  let t: TestApp;
  let user: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    user = await t.createUser('platform-info@example.com');
  });
  afterAll(() => t.close());

  describe('regions', () => {
    it("lists the regions in Heroku's shape", async () => {
      const response = await t.http().get('/regions').set(bearer(user.token)).expect(200);
      expect(response.body).toEqual([
        {
          country: 'United States',
          created_at: '2026-11-27T00:00:00.000Z',
          description: 'United States',
          id: '59accabd-516d-4f0e-83e6-6e3757701145',
          locale: 'United States',
          name: 'us',
          private_capable: true,
          provider: { name: 'drydock', region: 'us' },
          updated_at: '2026-11-27T00:00:00.000Z',
        },
        {
          country: 'European Union',
          created_at: '2026-11-27T00:00:00.000Z',
          description: 'Europe',
          id: 'ed30241c-ed8c-4bb6-9714-61953675d0b4',
          locale: 'Europe',
          name: 'eu',
          private_capable: true,
          provider: { name: 'drydock', region: 'eu' },
          updated_at: '2026-11-27T00:00:00.000Z',
        },
      ]);
    });

    it('shows one region by name or id, and 404 for an unknown one', async () => {
      const byName = await t.http().get('/regions/eu').set(bearer(user.token)).expect(200);
      expect(byName.body).toMatchObject({ name: 'eu', description: 'Europe' });
      const byId = await t
        .http()
        .get(`/regions/${byName.body.id.toUpperCase()}`)
        .set(bearer(user.token))
        .expect(200);
      expect(byId.body).toEqual(byName.body);
      const missing = await t.http().get('/regions/oregon').set(bearer(user.token)).expect(404);
      expect(missing.body).toEqual({ id: 'not_found', message: "Couldn't find that region." });
    });

    it('lists exactly the regions apps and spaces accept', async () => {
      const listed = await t.http().get('/regions').set(bearer(user.token)).expect(200);
      const names = listed.body.map((region: { name: string }) => region.name);
      expect(names).toEqual(REGIONS.map((region) => region.name));
      for (const name of names) {
        await t
          .http()
          .post('/apps')
          .set(bearer(user.token))
          .send({ name: `in-${name}`, region: name })
          .expect(201);
        await t
          .http()
          .post('/spaces')
          .set(bearer(user.token))
          .send({ name: `space-${name}`, region: name })
          .expect(201);
      }
      const refused = await t
        .http()
        .post('/apps')
        .set(bearer(user.token))
        .send({ name: 'in-oregon', region: 'oregon' })
        .expect(422);
      expect(refused.body.message).toBe(`region must be one of ${names.join(', ')}`);
      await t
        .http()
        .post('/spaces')
        .set(bearer(user.token))
        .send({ name: 'space-oregon', region: 'oregon' })
        .expect(422);
    });

    it('needs a token', async () => {
      await t.http().get('/regions').expect(401);
    });
  });

  describe('add-ons', () => {
    it('lists no add-ons and no attachments, for the account and for an app', async () => {
      await t.http().post('/apps').set(bearer(user.token)).send({ name: 'bare-app' }).expect(201);
      for (const path of [
        '/addons',
        '/addon-attachments',
        '/apps/bare-app/addons',
        '/apps/bare-app/addon-attachments',
      ]) {
        const response = await t
          .http()
          .get(path)
          .set(bearer(user.token))
          .set('Accept-Expansion', 'addon_service,plan')
          .expect(200);
        expect(response.body).toEqual([]);
      }
    });

    it("answers 404 for a missing app's lists and 403 for someone else's", async () => {
      const other = await t.createUser('platform-other@example.com');
      await t.http().post('/apps').set(bearer(other.token)).send({ name: 'not-yours' }).expect(201);
      for (const list of ['addons', 'addon-attachments']) {
        const missing = await t
          .http()
          .get(`/apps/no-such-app/${list}`)
          .set(bearer(user.token))
          .expect(404);
        expect(missing.body.id).toBe('not_found');
        await t.http().get(`/apps/not-yours/${list}`).set(bearer(user.token)).expect(403);
      }
    });
  });
});
