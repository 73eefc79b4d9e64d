import { hashToken } from '../../src/common/auth/tokens.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('authentication and tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('credentials', () => {
    it('refuses a request without a token with 401 unauthorized', async () => {
      const response = await t.http().get('/account').expect(401);
      expect(response.body).toEqual({
        id: 'unauthorized',
        message: 'Invalid credentials provided.',
      });
    });

    it('refuses an unknown token', async () => {
      await t.http().get('/apps').set(bearer('drydock_not-a-real-token')).expect(401);
    });

    it('refuses an unsupported scheme', async () => {
      await t.http().get('/apps').set('Authorization', `Token ${ADMIN_TOKEN}`).expect(401);
    });

    it('accepts a Bearer token', async () => {
      const response = await t.http().get('/account').set(bearer(ADMIN_TOKEN)).expect(200);
      expect(response.body.email).toBe('admin@drydock.local');
    });

    it('accepts HTTP Basic with the token as password, as the Heroku CLI sends from netrc', async () => {
      const response = await t
        .http()
        .get('/account')
        .auth('admin@drydock.local', ADMIN_TOKEN)
        .expect(200);
      expect(response.body.email).toBe('admin@drydock.local');
    });

    it('refuses an expired token', async () => {
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(ADMIN_TOKEN))
        .send({ scope: ['global'], expires_in: 60 })
        .expect(201);
      await t.prisma.apiToken.update({
        where: { id: created.body.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      await t.http().get('/account').set(bearer(created.body.access_token.token)).expect(401);
    });
  });

  describe('GET /account', () => {
    it("returns Heroku's account shape", async () => {
      const user = await t.createUser('shape@example.com');
      const response = await t.http().get('/account').set(bearer(user.token)).expect(200);
      expect(response.body).toMatchObject({
        id: user.id,
        email: 'shape@example.com',
        allow_tracking: false,
        beta: false,
        federated: false,
        identity_provider: null,
        two_factor_authentication: false,
        verified: true,
        default_team: null,
      });
      expect(new Date(response.body.created_at).toISOString()).toBe(response.body.created_at);
    });

    it('updates the name with PATCH /account', async () => {
      const user = await t.createUser('rename-me@example.com');
      const response = await t
        .http()
        .patch('/account')
        .set(bearer(user.token))
        .send({ name: 'Tina Edmonds' })
        .expect(200);
      expect(response.body.name).toBe('Tina Edmonds');
      await t
        .http()
        .patch('/account')
        .set(bearer(user.token))
        .send({ email: 'x@example.com' })
        .expect(422);
    });
  });

  describe('POST /accounts', () => {
    it('lets an admin create an account with a first token that works', async () => {
      const response = await t
        .http()
        .post('/accounts')
        .set(bearer(ADMIN_TOKEN))
        .send({ email: 'New.User@Example.com', name: 'New' })
        .expect(201);
      expect(response.body).toMatchObject({ email: 'new.user@example.com', name: 'New' });
      expect(response.body.token).toMatch(/^drydock_/);
      const me = await t.http().get('/account').set(bearer(response.body.token)).expect(200);
      expect(me.body.id).toBe(response.body.id);
    });

    it('refuses a duplicate email with 422 and writes nothing', async () => {
      await t.createUser('twice@example.com');
      const before = await t.prisma.apiToken.count();
      const response = await t
        .http()
        .post('/accounts')
        .set(bearer(ADMIN_TOKEN))
        .send({ email: 'twice@example.com' })
        .expect(422);
      expect(response.body).toEqual({
        id: 'invalid_params',
        message: 'Email twice@example.com is already taken',
      });
      expect(await t.prisma.apiToken.count()).toBe(before);
    });

    it('refuses an invalid email with 422', async () => {
      const response = await t
        .http()
        .post('/accounts')
        .set(bearer(ADMIN_TOKEN))
        .send({ email: 'not-an-email' })
        .expect(422);
      expect(response.body.id).toBe('invalid_params');
    });

    it('is for admins only', async () => {
      const user = await t.createUser('not-admin@example.com');
      const response = await t
        .http()
        .post('/accounts')
        .set(bearer(user.token))
        .send({ email: 'x@example.com' })
        .expect(403);
      expect(response.body.id).toBe('forbidden');
      await t.http().get('/accounts').set(bearer(user.token)).expect(403);
      const list = await t.http().get('/accounts').set(bearer(ADMIN_TOKEN)).expect(200);
      expect(list.body.map((a: { email: string }) => a.email)).toContain('not-admin@example.com');
    });
  });

  describe('/oauth/authorizations', () => {
    it('creates a token shown once and stores only its hash', async () => {
      const user = await t.createUser('tokens@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({ scope: ['read'], description: 'dashboards' })
        .expect(201);
      const token: string = created.body.access_token.token;
      expect(created.body).toMatchObject({
        scope: ['read'],
        description: 'dashboards',
        user: { email: 'tokens@example.com' },
      });
      expect(token).toMatch(/^drydock_/);

      const stored = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.tokenHash).toBe(hashToken(token));
      expect(JSON.stringify(stored)).not.toContain(token);

      const info = await t
        .http()
        .get(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(user.token))
        .expect(200);
      expect(info.body.access_token.token).toBe(`…${token.slice(-4)}`);
      const list = await t.http().get('/oauth/authorizations').set(bearer(user.token)).expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).toContain(created.body.id);
    });

    it('lets a read token read but not write', async () => {
      const user = await t.createUser('reader@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({ scope: ['read'] })
        .expect(201);
      const readToken = created.body.access_token.token;
      await t.http().get('/apps').set(bearer(readToken)).expect(200);
      const response = await t
        .http()
        .post('/apps')
        .set(bearer(readToken))
        .send({ name: 'read-only-app' })
        .expect(403);
      expect(response.body.id).toBe('forbidden');
      expect(await t.prisma.app.count({ where: { name: 'read-only-app' } })).toBe(0);
    });

    it('lets only admins mint service scopes', async () => {
      const user = await t.createUser('sneaky@example.com');
      const refused = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({ scope: ['routing'] })
        .expect(403);
      expect(refused.body.message).toMatch(/admin/);
      const minted = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(ADMIN_TOKEN))
        .send({ scope: ['routing'] })
        .expect(201);
      expect(minted.body.scope).toEqual(['routing']);
    });

    it('keeps service tokens away from the Platform API', async () => {
      const routerToken = await t.mintToken(['routing']);
      await t.http().get('/apps').set(bearer(routerToken)).expect(403);
      await t.http().post('/apps').set(bearer(routerToken)).send({}).expect(403);
    });

    it('defaults to global scope and takes expires_in as the string the Heroku CLI sends', async () => {
      const response = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(ADMIN_TOKEN))
        .send({ expires_in: '3600' })
        .expect(201);
      expect(response.body.scope).toEqual(['global']);
      expect(response.body.access_token.expires_in).toBeGreaterThan(3590);
      expect(response.body.access_token.expires_in).toBeLessThanOrEqual(3600);
    });

    it('confines identity and write tokens', async () => {
      const user = await t.createUser('scoped@example.com');
      const identity = await t.mintToken(['identity'], user.token);
      await t.http().get('/account').set(bearer(identity)).expect(200);
      await t.http().get('/apps').set(bearer(identity)).expect(403);
      const write = await t.mintToken(['write'], user.token);
      await t.http().post('/apps').set(bearer(write)).send({ name: 'written-app' }).expect(201);
      // A narrower token cannot mint a wider one.
      await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(write))
        .send({ scope: ['global'] })
        .expect(403);
    });

    it('refuses unknown scopes and bad expiry with 422', async () => {
      for (const body of [
        { scope: ['root'] },
        { scope: [] },
        { scope: 'global' },
        { scope: ['global'], expires_in: -5 },
        { expires_in: 'soon' },
      ]) {
        const response = await t
          .http()
          .post('/oauth/authorizations')
          .set(bearer(ADMIN_TOKEN))
          .send(body)
          .expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
    });

    it('revokes a token so it stops working at once', async () => {
      const user = await t.createUser('revoker@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({ scope: ['global'] })
        .expect(201);
      await t
        .http()
        .delete(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(user.token))
        .expect(200);
      await t.http().get('/account').set(bearer(created.body.access_token.token)).expect(401);
      await t
        .http()
        .delete(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(user.token))
        .expect(404);
    });

    it("hides other users' tokens", async () => {
      const alice = await t.createUser('alice-tokens@example.com');
      const bob = await t.createUser('bob-tokens@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(alice.token))
        .send({ scope: ['global'] })
        .expect(201);
      await t
        .http()
        .get(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(bob.token))
        .expect(404);
      await t
        .http()
        .delete(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(bob.token))
        .expect(404);
      await t.http().get('/oauth/authorizations/not-a-uuid').set(bearer(bob.token)).expect(404);
      await t
        .http()
        .patch(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(bob.token))
        .send({ description: 'mine now' })
        .expect(404);
      await t
        .http()
        .post(`/oauth/authorizations/${created.body.id}/actions/regenerate-tokens`)
        .set(bearer(bob.token))
        .expect(404);
      const kept = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(kept.description).toBe('');
      await t.http().get('/account').set(bearer(created.body.access_token.token)).expect(200);
    });

    it('changes the description and nothing else, and refuses an OAuth client', async () => {
      const user = await t.createUser('describer@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({ scope: ['read'], description: 'before' })
        .expect(201);
      const updated = await t
        .http()
        .patch(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(user.token))
        .send({ description: 'after' })
        .expect(200);
      expect(updated.body).toMatchObject({
        id: created.body.id,
        description: 'after',
        scope: ['read'],
        access_token: {
          id: created.body.id,
          token: `…${created.body.access_token.token.slice(-4)}`,
        },
      });
      const stored = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored).toMatchObject({
        description: 'after',
        tokenHash: hashToken(created.body.access_token.token),
      });
      const events = await t.prisma.event.findMany({ where: { action: 'token.update' } });
      expect(events.map((event) => event.data)).toContainEqual({
        token_id: created.body.id,
        description: 'after',
      });
      await t.http().get('/apps').set(bearer(created.body.access_token.token)).expect(200);

      for (const body of [
        { client: { id: 'a-client', secret: 'shh' } },
        { description: 7 },
        { description: 'x'.repeat(201) },
      ]) {
        const refused = await t
          .http()
          .patch(`/oauth/authorizations/${created.body.id}`)
          .set(bearer(user.token))
          .send(body)
          .expect(422);
        expect(refused.body.id).toBe('invalid_params');
      }
      const clientRefused = await t
        .http()
        .patch(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(user.token))
        .send({ client: { id: 'a-client', secret: 'shh' }, description: 'sneaky' })
        .expect(422);
      expect(clientRefused.body.message).toMatch(/no OAuth clients/);
      const after = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(after.description).toBe('after');
    });

    it('rotates a token: same authorization, a new secret shown once, the old one refused at once', async () => {
      const user = await t.createUser('rotator@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({ scope: ['write'], description: 'deploys', expires_in: 3600 })
        .expect(201);
      const oldToken: string = created.body.access_token.token;
      // Used once, so this replica has it cached.
      await t.http().get('/apps').set(bearer(oldToken)).expect(200);
      const before = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });

      const rotated = await t
        .http()
        .post(`/oauth/authorizations/${created.body.id}/actions/regenerate-tokens`)
        .set(bearer(user.token))
        .expect(200);
      const newToken: string = rotated.body.access_token.token;
      expect(newToken).toMatch(/^drydock_/);
      expect(newToken).not.toBe(oldToken);
      expect(rotated.body).toMatchObject({
        id: created.body.id,
        description: 'deploys',
        scope: ['write'],
        access_token: { id: created.body.id },
      });
      expect(rotated.body.access_token.expires_in).toBeGreaterThan(3500);
      expect(rotated.body.access_token.expires_in).toBeLessThanOrEqual(3600);

      await t.http().get('/apps').set(bearer(oldToken)).expect(401);
      await t.http().get('/apps').set(bearer(newToken)).expect(200);
      const stored = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.tokenHash).toBe(hashToken(newToken));
      expect(stored.expiresAt).toEqual(before.expiresAt);
      const info = await t
        .http()
        .get(`/oauth/authorizations/${created.body.id}`)
        .set(bearer(user.token))
        .expect(200);
      expect(info.body.access_token.token).toBe(`…${newToken.slice(-4)}`);
      const events = await t.prisma.event.findMany({ where: { action: 'token.rotate' } });
      expect(events.map((event) => event.data)).toContainEqual({ token_id: created.body.id });
      expect(JSON.stringify(events.map((event) => event.data))).not.toContain(newToken);
    });

    it('leaves exactly one working secret after concurrent rotations', async () => {
      const user = await t.createUser('racer@example.com');
      const created = await t
        .http()
        .post('/oauth/authorizations')
        .set(bearer(user.token))
        .send({})
        .expect(201);
      const answers = await Promise.all(
        [1, 2, 3].map(() =>
          t
            .http()
            .post(`/oauth/authorizations/${created.body.id}/actions/regenerate-tokens`)
            .set(bearer(user.token))
            .expect(200),
        ),
      );
      const tokens = [
        created.body.access_token.token,
        ...answers.map((a) => a.body.access_token.token),
      ];
      const statuses = [];
      for (const token of tokens) {
        statuses.push((await t.http().get('/account').set(bearer(token))).status);
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 401)).toHaveLength(3);
      const stored = await t.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.tokenHash).toBe(hashToken(tokens[statuses.indexOf(200)]));
    });

    it('refuses to rotate a token the operator configured, which keeps working', async () => {
      const adminTokens = await t
        .http()
        .get('/oauth/authorizations')
        .set(bearer(ADMIN_TOKEN))
        .expect(200);
      const configured = adminTokens.body.find(
        (token: { access_token: { token: string } }) =>
          token.access_token.token === `…${ADMIN_TOKEN.slice(-4)}`,
      );
      const refused = await t
        .http()
        .post(`/oauth/authorizations/${configured.id}/actions/regenerate-tokens`)
        .set(bearer(ADMIN_TOKEN))
        .expect(422);
      expect(refused.body).toEqual({
        id: 'invalid_params',
        message: expect.stringContaining('DRYDOCK_ADMIN_TOKEN'),
      });
      await t.http().get('/account').set(bearer(ADMIN_TOKEN)).expect(200);
    });
  });
});
