import pg from 'pg';
import { TokensService } from '../../src/tokens/tokens.service.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';
import {
  ADMIN_TOKEN,
  bearer,
  startTestApp,
  TestApp,
  testDatabaseUrl,
} from '../support/test-app.js';

const RATE_LIMIT_BODY = {
  id: 'rate_limit',
  message: expect.stringMatching(/rate limit/) as unknown as string,
};

describe('rate limits', () => {
  describe('the account budget of the Platform API', () => {
    let t: TestApp;
    let alice: { id: string; token: string };
    let bob: { id: string; token: string };
    let aliceSecond: string;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_REQUESTS_PER_HOUR: '10' });
      alice = await t.createUser('budget-alice@example.com');
      bob = await t.createUser('budget-bob@example.com');
      aliceSecond = await t.mintToken(['read'], alice.token);
      await t
        .http()
        .post('/apps')
        .set(bearer(alice.token))
        .send({ name: 'alices-app' })
        .expect(201);
    });
    afterAll(() => t.close());

    it('counts down in RateLimit-Remaining, then answers 429 rate_limit with Retry-After', async () => {
      // Minting the second token and creating the app took two requests of alice's budget.
      const remaining: number[] = [];
      for (let i = 0; i < 7; i++) {
        const response = await t.http().get('/account').set(bearer(alice.token)).expect(200);
        remaining.push(Number(response.headers['ratelimit-remaining']));
      }
      expect(remaining).toEqual([7, 6, 5, 4, 3, 2, 1]);
      // An error after authentication is a request of the budget too, and says so.
      const missing = await t.http().get('/apps/no-such-app').set(bearer(alice.token)).expect(404);
      expect(missing.headers['ratelimit-remaining']).toBe('0');

      const refused = await t.http().get('/account').set(bearer(alice.token)).expect(429);
      expect(refused.body).toEqual(RATE_LIMIT_BODY);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("shares the budget between an account's tokens, and refuses writes without doing them", async () => {
      const refused = await t.http().get('/apps').set(bearer(aliceSecond)).expect(429);
      expect(refused.body.id).toBe('rate_limit');
      await t
        .http()
        .post('/apps')
        .set(bearer(alice.token))
        .send({ name: 'over-budget' })
        .expect(429);
      expect(await t.prisma.app.count({ where: { name: 'over-budget' } })).toBe(0);
    });

    it('keeps other accounts, health checks and docs out of it', async () => {
      const other = await t.http().get('/account').set(bearer(bob.token)).expect(200);
      expect(other.headers['ratelimit-remaining']).toBe('9');
      for (const path of ['/healthz', '/readyz', '/docs-json']) {
        const response = await t.http().get(path).expect(200);
        expect(response.headers['ratelimit-remaining']).toBeUndefined();
      }
    });

    it('does not charge the machine APIs to the account budget', async () => {
      // Alice's budget is spent; her routing lookups draw from a budget of their own.
      const response = await t
        .http()
        .get('/routing/v1/apps/alices-app')
        .set(bearer(alice.token))
        .expect(200);
      expect(response.body.name).toBe('alices-app');
    });
  });

  describe('the machine APIs', () => {
    let t: TestApp;
    let routerToken: string;
    let otherRouter: string;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_MACHINE_REQUESTS_PER_SECOND: '1' });
      routerToken = await t.mintToken(['routing']);
      otherRouter = await t.mintToken(['routing']);
      await t.http().post('/apps').set(bearer(ADMIN_TOKEN)).send({ name: 'limited' }).expect(201);
      // The routing view learns of the app from the change feed, a moment after its commit:
      // the bursts below must not race it (the admin's token has a budget of its own).
      await eventually(
        () => t.http().get('/routing/v1/apps/limited').set(bearer(ADMIN_TOKEN)).expect(200),
        10_000,
        1100,
      );
    });
    afterAll(() => t.close());

    const burst = (path: string, token: string) =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          t.http().get(path).set(bearer(token)).set('Request-Id', 'r-1'),
        ),
      );

    it('limits each machine token on the lookups answered before Fastify', async () => {
      const responses = await burst('/routing/v1/apps/limited', routerToken);
      const statuses = responses.map((response) => response.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(429);
      const refused = responses.find((response) => response.status === 429)!;
      expect(refused.body).toEqual(RATE_LIMIT_BODY);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.headers['request-id']).toBe('r-1');
      // Another router's token has its own budget.
      await t.http().get('/routing/v1/apps/limited').set(bearer(otherRouter)).expect(200);
    });

    it('limits the machine routes behind Nest too: snapshot and dyno manager', async () => {
      const snapshots = await burst('/routing/v1/snapshot', otherRouter);
      expect(snapshots.map((response) => response.status)).toContain(429);
      const manager = await t.mintToken(['dyno-manager']);
      const lists = await burst('/dyno-manager/v1/apps/limited/dynos', manager);
      const refused = lists.find((response) => response.status === 429);
      expect(refused?.body).toEqual(RATE_LIMIT_BODY);
      // Machine APIs are not the Platform API: no account budget header.
      expect(
        lists.find((response) => response.status === 200)?.headers['ratelimit-remaining'],
      ).toBeUndefined();
    });
  });

  describe('failed authentication', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' });
    });
    afterAll(() => t.close());

    it('refuses an address after repeated failures, whatever token it sends next', async () => {
      const fresh = await t.mintToken(['global']);
      for (const token of ['drydock_guess-1', 'drydock_guess-2', 'drydock_guess-3']) {
        await t.http().get('/apps').set(bearer(token)).expect(401);
      }
      const refused = await t.http().get('/apps').set(bearer('drydock_guess-4')).expect(429);
      expect(refused.body).toEqual({
        id: 'rate_limit',
        message: expect.stringMatching(/authentication/),
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // A token this replica has not seen is not even looked at from that address.
      await t.http().get('/account').set(bearer(fresh)).expect(429);
      // Nor on the lookups answered before Fastify, nor without any token.
      await t.http().get('/routing/v1/apps/anything').set(bearer('drydock_guess-5')).expect(429);
      await t.http().get('/apps').expect(429);
    });

    it('does not let a client pick another address with X-Forwarded-For', async () => {
      const response = await t
        .http()
        .get('/apps')
        .set('X-Forwarded-For', '198.51.100.7')
        .set(bearer('drydock_guess-6'))
        .expect(429);
      expect(response.body.id).toBe('rate_limit');
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1', TRUST_PROXY: 'loopback' });
    });
    afterAll(() => t.close());

    it('counts failures per client address the proxy reports', async () => {
      const from = (address: string, token: string) =>
        t.http().get('/apps').set('X-Forwarded-For', address).set(bearer(token));
      await from('198.51.100.7', 'drydock_guess-1').expect(401);
      await from('198.51.100.7', 'drydock_guess-2').expect(429);
      // The address the proxy appended counts, not what the client put before it.
      await from('203.0.113.1, 198.51.100.7', 'drydock_guess-3').expect(429);
      await from('198.51.100.8', 'drydock_guess-4').expect(401);
    });
  });

  describe('unknown tokens', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('answers a repeated unknown token from memory, without asking the database', async () => {
      const unknown = bearer('drydock_unknown-token-for-the-negative-cache');
      await t.http().get('/apps').set(unknown).expect(401);

      const locker = new pg.Client({ connectionString: testDatabaseUrl() });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        // While this lock is held, any query on api_tokens waits for it.
        await locker.query('LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE');
        let status: number | undefined;
        void t
          .http()
          .get('/apps')
          .set(unknown)
          .then((response) => (status = response.status));
        const outcome = await eventually(async () => {
          if (status !== undefined) return 'answered';
          const waiting = await locker.query(
            `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             WHERE c.relname = 'api_tokens' AND NOT l.granted`,
          );
          if (waiting.rowCount) return 'waited for the database';
          throw new Error('not answered yet');
        });
        expect(outcome).toBe('answered');
        expect(status).toBe(401);
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
    });

    it('accepts a token created after it was refused as unknown', async () => {
      const chosen = 'drydock_chosen-by-the-operator-0123456789';
      await t.http().get('/account').set(bearer(chosen)).expect(401);
      const admin = await t.prisma.account.findFirstOrThrow({ where: { isAdmin: true } });
      await t.app
        .get(TokensService)
        .issue(t.prisma, { accountId: admin.id, scopes: ['global'], token: chosen });
      const response = await t.http().get('/account').set(bearer(chosen)).expect(200);
      expect(response.body.id).toBe(admin.id);
    });
  });

  describe('logging of refused requests', () => {
    it('writes one summary of 401s and 429s instead of a line each, without tokens', async () => {
      const logs = captureLogs();
      const t = await startTestApp(
        { RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' },
        { logger: logs.logger },
      );
      try {
        await t.http().get('/account').set(bearer(ADMIN_TOKEN)).expect(200);
        await t.http().get('/apps').expect(401);
        await t.http().get('/apps').set(bearer('drydock_secret-guess-1')).expect(401);
        await t.http().get('/routing/v1/apps/x').set(bearer('drydock_secret-guess-2')).expect(401);
        await t.http().get('/apps').set(bearer('drydock_secret-guess-3')).expect(429);
      } finally {
        await t.close();
      }
      const entries = logs.entries();
      const perRequest = entries.filter((entry) => entry.msg === 'request completed');
      expect(perRequest.map((entry) => entry.status)).toEqual([200]);
      const summaries = entries.filter((entry) => entry.msg === 'refused requests');
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({
        unauthorized: 3,
        rate_limited: 1,
        top_clients: [{ address: '127.0.0.1', refused: 4 }],
      });
      expect(logs.lines.join('\n')).not.toContain('secret-guess');
    });
  });
});
