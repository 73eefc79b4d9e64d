import { FEED_APPLICATION_NAME } from '../../src/events/change-feed.service.js';
import { EventRetention } from '../../src/events/event-retention.service.js';
import { eventually } from '../support/eventually.js';
import { openSse, SseMessage } from '../support/sse-client.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

interface ChangeData {
  version: number;
  action: string;
  app_name: string;
  routing: { maintenance: boolean; maintenance_page_url: string | null } | null;
}

const parse = (message: SseMessage) => JSON.parse(message.data) as ChangeData;

describe('routing and scheduler APIs, and the change stream', () => {
  let a: TestApp;
  let b: TestApp;
  let portA: number;
  let portB: number;
  let owner: { id: string; token: string };
  let stranger: { id: string; token: string };
  let routerToken: string;
  let schedulerToken: string;

  beforeAll(async () => {
    a = await startTestApp({ WATCH_HEARTBEAT_SECONDS: '1' });
    // A second replica on the same database: changes through one reach watchers of the other.
    b = await startTestApp({ WATCH_HEARTBEAT_SECONDS: '1' }, { reset: false });
    [portA, portB] = await Promise.all([a.listen(), b.listen()]);
    owner = await a.createUser('routing-owner@example.com');
    stranger = await a.createUser('routing-stranger@example.com');
    routerToken = await a.mintToken(['routing']);
    schedulerToken = await a.mintToken(['scheduler']);
    await a
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'routing-space' })
      .expect(201);
    await a
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'routed', space: 'routing-space', process_types: { web: 'npm start' } })
      .expect(201);
    await a
      .http()
      .post('/apps')
      .set(bearer(stranger.token))
      .send({ name: 'strangers-app' })
      .expect(201);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  /** The change log's head: its newest event's version. */
  const logHead = async () =>
    Number((await a.prisma.event.aggregate({ _max: { version: true } }))._max.version);

  const setMaintenance = (app: TestApp, value: boolean) =>
    app
      .http()
      .patch('/apps/routed')
      .set(bearer(owner.token))
      .send({ maintenance: value })
      .expect(200);

  describe('GET /routing/v1/apps/{app}', () => {
    it("answers a router with the app's routing entry, by name or host", async () => {
      await a
        .http()
        .patch('/apps/routed/config-vars')
        .set(bearer(owner.token))
        .send({ MAINTENANCE_PAGE_URL: '//s3.amazonaws.com/bucket/page.html' })
        .expect(200);
      const dyno = await a.prisma.dyno.findFirstOrThrow({
        where: { app: { name: 'routed' }, name: 'web.1' },
      });
      expect(
        (await a.reportDyno('routed', 'web.1', { state: 'up', address: '127.0.0.1:5999' })).status,
      ).toBe(200);
      await eventually(async () => {
        const response = await a
          .http()
          .get('/routing/v1/apps/routed.localhost')
          .set(bearer(routerToken))
          .expect(200);
        expect(response.body).toEqual({
          id: dyno.appId,
          name: 'routed',
          hosts: ['routed.localhost'],
          maintenance: false,
          maintenance_ends_at: null,
          maintenance_page_url: 'https://s3.amazonaws.com/bucket/page.html',
          web: { quantity: 1, size: 'Private-S' },
          space: { name: 'routing-space', shield: false },
          private_space: true,
          web_dynos: [{ name: 'web.1', address: '127.0.0.1:5999' }],
        });
      });
      await a.http().get('/routing/v1/apps/routed').set(bearer(routerToken)).expect(200);
      await a.http().get('/routing/v1/apps/no-such-app').set(bearer(routerToken)).expect(404);
    });

    it('lists only web dynos that are up with an address', async () => {
      expect((await a.reportDyno('routed', 'web.1', { state: 'crashed' })).status).toBe(200);
      await eventually(async () => {
        const response = await a
          .http()
          .get('/routing/v1/apps/routed')
          .set(bearer(routerToken))
          .expect(200);
        expect(response.body.web_dynos).toEqual([]);
      });
      expect((await a.reportDyno('routed', 'web.1', { state: 'up' })).status).toBe(200);
    });

    it('answers like every other route: Request-Id, Heroku errors, 401 without a token', async () => {
      const found = await a
        .http()
        .get('/routing/v1/apps/routed?fields=all')
        .set(bearer(routerToken))
        .set('Request-Id', 'router-1')
        .expect(200);
      expect(found.headers['request-id']).toBe('router-1');
      expect(found.headers['content-type']).toMatch(/^application\/json/);
      const anonymous = await a.http().get('/routing/v1/apps/routed').expect(401);
      expect(anonymous.body).toEqual({
        id: 'unauthorized',
        message: 'Invalid credentials provided.',
      });
      expect(anonymous.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const missing = await a
        .http()
        .get('/scheduler/v1/apps/no-such-app')
        .set(bearer(schedulerToken))
        .expect(404);
      expect(missing.body.id).toBe('not_found');
      // Only GET is a lookup; anything else is Fastify's, with Heroku's error shape.
      const post = await a
        .http()
        .post('/routing/v1/apps/routed')
        .set(bearer(routerToken))
        .expect(404);
      expect(post.body.id).toBe('not_found');
    });

    it("lets a person read their own app's entry but not another's", async () => {
      await a.http().get('/routing/v1/apps/routed').set(bearer(owner.token)).expect(200);
      await a.http().get('/routing/v1/apps/strangers-app').set(bearer(owner.token)).expect(403);
    });
  });

  describe('scoped service tokens', () => {
    it('cannot write anything, nor read the Platform API', async () => {
      for (const token of [routerToken, schedulerToken]) {
        await a
          .http()
          .patch('/apps/routed')
          .set(bearer(token))
          .send({ maintenance: true })
          .expect(403);
        await a.http().post('/apps').set(bearer(token)).send({ name: 'router-made' }).expect(403);
        await a
          .http()
          .patch('/apps/routed/config-vars')
          .set(bearer(token))
          .send({ X: 'y' })
          .expect(403);
        await a.http().get('/apps/routed').set(bearer(token)).expect(403);
        await a.http().get('/apps/routed/config-vars').set(bearer(token)).expect(403);
        await a
          .http()
          .post('/oauth/authorizations')
          .set(bearer(token))
          .send({ scope: ['global'] })
          .expect(403);
      }
      expect(
        (await a.prisma.app.findUniqueOrThrow({ where: { name: 'routed' } })).maintenance,
      ).toBe(false);
    });

    it('keep routers and schedulers to their own API', async () => {
      await a.http().get('/scheduler/v1/apps/routed').set(bearer(routerToken)).expect(403);
      await a.http().get('/routing/v1/snapshot').set(bearer(schedulerToken)).expect(403);
    });
  });

  describe('GET /routing/v1/snapshot', () => {
    it('returns every entry at a version with an ETag, and 304 for If-None-Match', async () => {
      const response = await a
        .http()
        .get('/routing/v1/snapshot')
        .set(bearer(routerToken))
        .expect(200);
      expect(response.body.version).toBeGreaterThan(0);
      expect(response.headers.etag).toBe(`"${response.body.version}"`);
      expect(response.body.apps.map((entry: { name: string }) => entry.name).sort()).toEqual([
        'routed',
        'strangers-app',
      ]);
      await a
        .http()
        .get('/routing/v1/snapshot')
        .set(bearer(routerToken))
        .set('If-None-Match', response.headers.etag)
        .expect(304);
      await setMaintenance(a, true);
      await eventually(async () => {
        await a
          .http()
          .get('/routing/v1/snapshot')
          .set(bearer(routerToken))
          .set('If-None-Match', response.headers.etag)
          .expect(200);
      });
      await setMaintenance(a, false);
    });

    it('shows a person only their own apps', async () => {
      const response = await a
        .http()
        .get('/routing/v1/snapshot')
        .set(bearer(owner.token))
        .expect(200);
      expect(response.body.apps.map((entry: { name: string }) => entry.name)).toEqual(['routed']);
    });
  });

  describe('GET /routing/v1/watch', () => {
    it('delivers a maintenance change made through one replica to a watcher on the other', async () => {
      const snapshot = await b
        .http()
        .get('/routing/v1/snapshot')
        .set(bearer(routerToken))
        .expect(200);
      const stream = await openSse(
        `http://127.0.0.1:${portB}/routing/v1/watch?since=${snapshot.body.version}`,
        bearer(routerToken),
      );
      try {
        expect(stream.status).toBe(200);
        expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
        await setMaintenance(a, true);
        const [message] = await stream.until((messages) =>
          messages.some((m) => parse(m).action === 'maintenance.enable'),
        );
        const change = parse(message);
        expect(message.event).toBe('change');
        expect(message.id).toBe(String(change.version));
        expect(change).toMatchObject({
          action: 'maintenance.enable',
          app_name: 'routed',
          routing: { maintenance: true },
        });
        const recorded = await a.prisma.event.findFirstOrThrow({
          where: { action: 'maintenance.enable' },
          orderBy: { version: 'desc' },
        });
        expect(change.version).toBe(Number(recorded.version));
      } finally {
        stream.close();
        await setMaintenance(a, false);
      }
    });

    it('resumes with Last-Event-ID after a disconnect, losing no event and repeating none', async () => {
      // The log's head, not a replica's snapshot, which may not have seen the last change yet.
      const start = await logHead();
      const first = await openSse(
        `http://127.0.0.1:${portB}/routing/v1/watch?since=${start}`,
        bearer(routerToken),
      );
      await setMaintenance(a, true);
      await setMaintenance(a, false);
      const seen = await first.until((messages) => messages.length >= 2);
      expect(seen.map((m) => parse(m).action)).toEqual([
        'maintenance.enable',
        'maintenance.disable',
      ]);
      first.close();
      const lastId = seen.at(-1)!.id!;

      // Changes while disconnected, through both replicas.
      await setMaintenance(b, true);
      await a
        .http()
        .patch('/apps/routed/config-vars')
        .set(bearer(owner.token))
        .send({ MAINTENANCE_PAGE_URL: 'https://pages.example.com/down.html' })
        .expect(200);
      await setMaintenance(a, false);
      const head = await logHead();

      const resumed = await openSse(`http://127.0.0.1:${portB}/routing/v1/watch`, {
        ...bearer(routerToken),
        'Last-Event-ID': lastId,
      });
      try {
        const after = await resumed.until((messages) =>
          messages.some((m) => Number(m.id) === head),
        );
        const ids = [...seen, ...after].map((m) => Number(m.id));
        expect(new Set(ids).size).toBe(ids.length);
        const expected = await a.prisma.event.findMany({
          where: { version: { gt: BigInt(start), lte: BigInt(head) }, appId: { not: null } },
          orderBy: { version: 'asc' },
        });
        expect(ids).toEqual(expected.map((event) => Number(event.version)));
        expect(after.map((m) => parse(m).action)).toEqual([
          'maintenance.enable',
          'config.update',
          'release.create',
          'maintenance.disable',
        ]);
      } finally {
        resumed.close();
      }
    });

    it("streams a person only their own apps' changes", async () => {
      const stream = await openSse(
        `http://127.0.0.1:${portA}/routing/v1/watch`,
        bearer(stranger.token),
      );
      try {
        await setMaintenance(a, true);
        await a
          .http()
          .patch('/apps/strangers-app')
          .set(bearer(stranger.token))
          .send({ maintenance: true })
          .expect(200);
        const messages = await stream.until((all) =>
          all.some((m) => parse(m).app_name === 'strangers-app'),
        );
        expect(messages.map((m) => parse(m).app_name)).toEqual(['strangers-app']);
      } finally {
        stream.close();
        await setMaintenance(a, false);
      }
    });

    it('tells a client whose version is no longer retained to re-list, with 410', async () => {
      const head = await logHead();
      // What the hourly retention does to old events.
      await a.prisma.event.deleteMany({ where: { version: { lte: BigInt(3) } } });
      const tooOld = await a
        .http()
        .get('/routing/v1/watch?since=1')
        .set(bearer(routerToken))
        .expect(410);
      expect(tooOld.body.id).toBe('gone');
      expect(tooOld.body.message).toMatch(/snapshot/);
      await a
        .http()
        .get(`/routing/v1/watch?since=${head + 1000}`)
        .set(bearer(routerToken))
        .expect(410);
      await a.http().get('/routing/v1/watch?since=abc').set(bearer(routerToken)).expect(422);
      await a
        .http()
        .get('/routing/v1/watch')
        .set(bearer(routerToken))
        .set('Last-Event-ID', '-5')
        .expect(422);
    });

    it('sends heartbeat comments so proxies keep the stream open', async () => {
      const stream = await openSse(
        `http://127.0.0.1:${portA}/routing/v1/watch`,
        bearer(routerToken),
      );
      try {
        await eventually(() => expect(stream.comments).toContain('heartbeat'), 3000);
      } finally {
        stream.close();
      }
    });

    it('drops events past the retention period', async () => {
      const retention = a.app.get(EventRetention);
      const total = await a.prisma.event.count();
      expect(await retention.prune(new Date(Date.now() + 31 * 24 * 3600 * 1000))).toBe(total);
      expect(await a.prisma.event.count()).toBe(0);
    });
  });

  describe('GET /scheduler/v1/apps/{app}', () => {
    it('lets jobs run during maintenance, as on Heroku, and says so', async () => {
      await setMaintenance(a, true);
      await eventually(async () => {
        const response = await a
          .http()
          .get('/scheduler/v1/apps/routed')
          .set(bearer(schedulerToken))
          .expect(200);
        expect(response.body).toMatchObject({
          name: 'routed',
          maintenance: true,
          jobs_may_run: true,
        });
      });
    });

    it('pauses jobs in maintenance when the app opts in with DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE', async () => {
      await a
        .http()
        .patch('/apps/routed/config-vars')
        .set(bearer(owner.token))
        .send({ DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE: 'true' })
        .expect(200);
      await eventually(async () => {
        const response = await b
          .http()
          .get('/scheduler/v1/apps/routed')
          .set(bearer(schedulerToken))
          .expect(200);
        expect(response.body).toMatchObject({ maintenance: true, jobs_may_run: false });
      });
      await setMaintenance(a, false);
      await eventually(async () => {
        const response = await b
          .http()
          .get('/scheduler/v1/apps/routed')
          .set(bearer(schedulerToken))
          .expect(200);
        expect(response.body.jobs_may_run).toBe(true);
      });
      await a.http().get('/scheduler/v1/apps/strangers-app').set(bearer(owner.token)).expect(403);
    });
  });

  describe('the change feed', () => {
    it('catches up after losing its LISTEN connection, missing nothing changed meanwhile', async () => {
      // Cut both replicas' feed connections, then change while neither can hear it.
      const cut = await a.prisma.$queryRaw<{ terminated: boolean }[]>`
        SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE application_name = ${FEED_APPLICATION_NAME} AND datname = current_database()`;
      expect(cut).toEqual([{ terminated: true }, { terminated: true }]);
      await setMaintenance(a, true);
      for (const replica of [a, b]) {
        await eventually(async () => {
          const response = await replica
            .http()
            .get('/routing/v1/apps/routed')
            .set(bearer(routerToken))
            .expect(200);
          expect(response.body.maintenance).toBe(true);
        });
      }
      await setMaintenance(a, false);
      await eventually(async () => {
        const response = await b
          .http()
          .get('/routing/v1/apps/routed')
          .set(bearer(routerToken))
          .expect(200);
        expect(response.body.maintenance).toBe(false);
      });
    });
  });
});
