import pg from 'pg';
import { WatchHub } from '../../src/routing/watch-hub.service.js';
import { eventually } from '../support/eventually.js';
import { openSse, SseStream } from '../support/sse-client.js';
import {
  ADMIN_TOKEN,
  bearer,
  startTestApp,
  TestApp,
  testDatabaseUrl,
} from '../support/test-app.js';

describe('watch streams', () => {
  let a: TestApp;
  let b: TestApp;
  let portB: number;
  const streams: SseStream[] = [];

  const watch = async (token: string, port = portB) => {
    const stream = await openSse(`http://127.0.0.1:${port}/routing/v1/watch`, bearer(token));
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    a = await startTestApp({ WATCH_STREAMS_PER_TOKEN: '2', WATCH_HEARTBEAT_SECONDS: '1' });
    // A second replica on the same database.
    b = await startTestApp(
      { WATCH_STREAMS_PER_TOKEN: '2', WATCH_HEARTBEAT_SECONDS: '1' },
      { reset: false },
    );
    portB = await b.listen();
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const mintRouter = async () => {
    const response = await a
      .http()
      .post('/oauth/authorizations')
      .set(bearer(ADMIN_TOKEN))
      .send({ scope: ['routing'] })
      .expect(201);
    return { id: response.body.id as string, token: response.body.access_token.token as string };
  };

  it('ends a stream when its token is revoked, through another replica', async () => {
    const router = await mintRouter();
    const stream = await watch(router.token);
    expect(stream.status).toBe(200);
    await eventually(() => expect(b.app.get(WatchHub).watcherCount).toBe(1));

    await a
      .http()
      .delete(`/oauth/authorizations/${router.id}`)
      .set(bearer(ADMIN_TOKEN))
      .expect(200);
    await eventually(() => expect(stream.ended).toBe(true));
    expect(b.app.get(WatchHub).watcherCount).toBe(0);
    await b.http().get('/routing/v1/watch').set(bearer(router.token)).expect(401);
  });

  it('ends a stream and refuses the old secret when its token is rotated, through another replica', async () => {
    const router = await mintRouter();
    const stream = await watch(router.token);
    expect(stream.status).toBe(200);
    await eventually(() => expect(b.app.get(WatchHub).watcherCount).toBe(1));

    const rotated = await a
      .http()
      .post(`/oauth/authorizations/${router.id}/actions/regenerate-tokens`)
      .set(bearer(ADMIN_TOKEN))
      .expect(200);
    await eventually(() => expect(stream.ended).toBe(true));
    await b.http().get('/routing/v1/snapshot').set(bearer(router.token)).expect(401);
    const renewed = await watch(rotated.body.access_token.token);
    expect(renewed.status).toBe(200);
  });

  it('caps the open streams of one token, answering 429 before streaming', async () => {
    const router = await mintRouter();
    const first = await watch(router.token);
    await watch(router.token);
    const refused = await fetch(`http://127.0.0.1:${portB}/routing/v1/watch`, {
      headers: bearer(router.token),
    });
    try {
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await refused.json()).toEqual({
        id: 'rate_limit',
        message: expect.stringMatching(/2 watch streams/),
      });
    } finally {
      await refused.body?.cancel().catch(() => undefined);
    }

    // Another token has streams of its own; a closed stream frees its place.
    const other = await mintRouter();
    expect((await watch(other.token)).status).toBe(200);
    first.close();
    await eventually(async () => {
      const again = await watch(router.token);
      expect(again.status).toBe(200);
    });
  });

  it('ends a stream whose backlog cannot be read, so the client resumes and re-lists', async () => {
    const router = await mintRouter();
    const hub = b.app.get(WatchHub);
    await eventually(() => expect(hub.watcherCount).toBe(0));
    const locker = new pg.Client({ connectionString: testDatabaseUrl() });
    await locker.connect();
    try {
      // The backlog query waits behind this lock; its connection is then cut.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const stream = await watch(router.token);
      expect(stream.status).toBe(200);
      const [waiting] = await eventually(async () => {
        const { rows } = await locker.query<{ pid: number }>(
          `SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           WHERE c.relname = 'events' AND NOT l.granted`,
        );
        expect(rows).toHaveLength(1);
        return rows;
      });
      await locker.query('SELECT pg_terminate_backend($1)', [waiting.pid]);
      await locker.query('ROLLBACK');

      await eventually(() => expect(stream.ended).toBe(true));
      expect(hub.watcherCount).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // The replica still streams to the next client.
    const next = await watch(router.token);
    expect(next.status).toBe(200);
    await eventually(() => expect(next.comments).toContain('heartbeat'), 3000);
  });
});
