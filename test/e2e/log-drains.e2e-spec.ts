import { ChangeFeed } from '../../src/events/change-feed.service.js';
import { DrainReceiver, startDrainReceiver } from '../support/drain-receiver.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

/** Drains on loopback: the operator allows 127.0.0.1 and plain http, as for a local receiver. */
const ENV = {
  LOG_DRAIN_ALLOWED_HOSTS: '127.0.0.1',
  LOG_DRAINS_ALLOW_HTTP: 'true',
  LOG_DRAINS_PER_APP: '3',
};
const FRAME = (pri: number, source: string, dyno: string) =>
  new RegExp(
    `^<${pri}>1 \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+00:00 host ${source} ${dyno.replace('.', '\\.')} - `,
  );
/** A frame's message, after `<PRI>1 <time> host <source> <dyno> - `. */
const message = (frame: string) => frame.split(' ').slice(6).join(' ');

describe("log drains: Heroku's log-drain API and deliveries in its HTTPS drain format", () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let routerToken: string;
  const receivers: DrainReceiver[] = [];

  beforeAll(async () => {
    t = await startTestApp(ENV);
    owner = await t.createUser('drains-owner@example.com');
    other = await t.createUser('drains-other@example.com');
    routerToken = await t.mintToken(['routing']);
  });
  afterAll(async () => {
    await t.close();
    for (const receiver of receivers) await receiver.close();
  });

  const receiver = async () => {
    const started = await startDrainReceiver();
    receivers.push(started);
    return started;
  };
  const createApp = async (name: string, on = t) =>
    (
      await on
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name, process_types: { web: 'npm start', worker: 'node worker.js' } })
        .expect(201)
    ).body as { id: string; name: string };
  const addDrain = (app: string, url: string, token = owner.token, on = t) =>
    on.http().post(`/apps/${app}/log-drains`).set(bearer(token)).send({ url });
  const ingest = (appId: string, messages: string[], on = t) =>
    on
      .http()
      .post('/logs/v1/lines')
      .set(bearer(routerToken))
      .send({
        lines: messages.map((m) => ({
          app_id: appId,
          source: 'heroku',
          dyno: 'router',
          message: m,
        })),
      })
      .expect(202);

  it("answers Heroku's log-drain shape, lists it, and finds it by id, token or URL", async () => {
    const app = await createApp('drains-api');
    const url = 'http://127.0.0.1:9/drain?key=secret-in-query';
    const created = await addDrain('drains-api', url).expect(201);
    expect(Object.keys(created.body).sort()).toEqual([
      'addon',
      'app',
      'created_at',
      'id',
      'token',
      'updated_at',
      'url',
    ]);
    expect(created.body).toMatchObject({
      addon: null,
      app: { id: app.id, name: 'drains-api' },
      url,
    });
    expect(created.body.token).toMatch(
      /^d\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );

    const list = await t
      .http()
      .get('/apps/drains-api/log-drains')
      .set(bearer(owner.token))
      .expect(200);
    expect(list.body).toEqual([created.body]);
    for (const identity of [created.body.id, created.body.token, encodeURIComponent(url)]) {
      const found = await t
        .http()
        .get(`/apps/drains-api/log-drains/${identity}`)
        .set(bearer(owner.token))
        .expect(200);
      expect(found.body).toEqual(created.body);
    }
    // The admin sees every app's drains, as every app resource.
    await t.http().get('/apps/drains-api/log-drains').set(bearer(ADMIN_TOKEN)).expect(200);

    const removed = await t
      .http()
      .delete(`/apps/drains-api/log-drains/${encodeURIComponent(url)}`)
      .set(bearer(owner.token))
      .expect(200);
    expect(removed.body).toEqual(created.body);
    await t.http().get('/apps/drains-api/log-drains').set(bearer(owner.token)).expect(200, []);

    // The events name the drain by id and token, never by its URL (credentials live there).
    const events = await t.prisma.event.findMany({
      where: { appId: app.id, action: { startsWith: 'drain.' } },
      orderBy: { version: 'asc' },
    });
    expect(events.map((e) => [e.action, e.data])).toEqual([
      ['drain.add', { drain_id: created.body.id, token: created.body.token }],
      ['drain.remove', { drain_id: created.body.id, token: created.body.token }],
    ]);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('secret-in-query');
  });

  it('refuses syslog, private addresses, duplicates, too many drains and other users, Heroku-shaped', async () => {
    await createApp('drains-refusals');
    const refused = async (url: string, status: number, pattern: RegExp, token = owner.token) => {
      const response = await addDrain('drains-refusals', url, token).expect(status);
      expect(Object.keys(response.body).sort()).toEqual(['id', 'message']);
      expect(response.body.message).toMatch(pattern);
      return response.body;
    };
    expect(
      await refused('syslog+tls://logs.example.com:6514', 422, /HTTPS drains only/),
    ).toMatchObject({
      id: 'invalid_params',
    });
    await refused(
      'https://10.0.0.5/drain',
      422,
      /public address: 10\.0\.0\.5 is a private .*LOG_DRAIN_ALLOWED_HOSTS/,
    );
    await refused('https://169.254.169.254/latest', 422, /link-local/);
    await refused('https://localhost/drain', 422, /loopback host name/);
    await refused('not a url', 422, /https:\/\//);
    await refused('http://127.0.0.1:9/x', 403, /do not have access/, other.token);

    await addDrain('drains-refusals', 'http://127.0.0.1:9/a').expect(201);
    await refused('http://127.0.0.1:9/a', 422, /^Url has already been taken$/);
    await addDrain('drains-refusals', 'http://127.0.0.1:9/b').expect(201);
    await addDrain('drains-refusals', 'http://127.0.0.1:9/c').expect(201);
    await refused('http://127.0.0.1:9/d', 422, /at most|the most an app may have/);

    await t.http().get('/apps/drains-refusals/log-drains').set(bearer(other.token)).expect(403);
    await t
      .http()
      .delete('/apps/drains-refusals/log-drains/d.00000000-0000-0000-0000-000000000000')
      .set(bearer(owner.token))
      .expect(404, { id: 'not_found', message: "Couldn't find that log drain." });
    await t
      .http()
      .post('/apps/no-such-app/log-drains')
      .set(bearer(owner.token))
      .send({ url: 'https://x.example.com' })
      .expect(404);
    expect(await t.prisma.logDrain.count({ where: { app: { name: 'drains-refusals' } } })).toBe(3);
  });

  it('refuses plain http where the operator has not allowed it', async () => {
    const strict = await startTestApp({}, { reset: false });
    try {
      await createApp('drains-strict', strict);
      const response = await addDrain(
        'drains-strict',
        'http://logs.example.com/drain',
        owner.token,
        strict,
      ).expect(422);
      expect(response.body.message).toMatch(/must use https:\/\/.*LOG_DRAINS_ALLOW_HTTP/);
      await addDrain('drains-strict', 'https://127.0.0.1/drain', owner.token, strict).expect(422);
    } finally {
      await strict.close();
    }
  });

  it('delivers ingested router lines framed as Heroku does, with its headers and Basic auth', async () => {
    const drain = await receiver();
    const app = await createApp('drains-router');
    await ingest(app.id, ['before the drain: never delivered']);
    const url = `${drain.base.replace('http://', 'http://user:p%40ss@')}/logs?source=drydock`;
    const created = await addDrain('drains-router', url).expect(201);
    await ingest(app.id, [
      'at=info method=GET path="/" status=200',
      'at=info method=GET path="/héllo" status=404',
    ]);

    const frames = await eventually(() => {
      expect(drain.accepted()).toHaveLength(2);
      return drain.accepted();
    });
    for (const frame of frames) expect(frame).toMatch(FRAME(158, 'heroku', 'router'));
    expect(frames.map(message)).toEqual([
      'at=info method=GET path="/" status=200',
      'at=info method=GET path="/héllo" status=404',
    ]);
    const [request] = drain.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/logs?source=drydock' });
    expect(request.headers).toMatchObject({
      'content-type': 'application/logplex-1',
      'logplex-msg-count': '2',
      'logplex-drain-token': created.body.token,
      authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    });
    expect(request.headers['logplex-frame-id']).toMatch(/^[0-9A-F]{32}$/);
    expect(request.headers['user-agent']).toMatch(/^Logplex\//);
  });

  it("delivers the platform's app[api] lines of scaling and maintenance", async () => {
    const drain = await receiver();
    await createApp('drains-api-lines');
    await addDrain('drains-api-lines', `${drain.base}/`).expect(201);
    await t
      .http()
      .patch('/apps/drains-api-lines/formation/worker')
      .set(bearer(owner.token))
      .send({ quantity: 2 })
      .expect(200);
    await t
      .http()
      .patch('/apps/drains-api-lines')
      .set(bearer(owner.token))
      .send({ maintenance: true })
      .expect(200);

    const frames = await eventually(() => {
      expect(drain.accepted()).toHaveLength(2);
      return drain.accepted();
    });
    for (const frame of frames) expect(frame).toMatch(FRAME(45, 'app', 'api'));
    expect(frames.map(message)).toEqual([
      'Scaled to worker@2:Standard-1X by user drains-owner@example.com',
      'Enable maintenance mode by user drains-owner@example.com',
    ]);
  });

  it('retries a drain that answers 503, and it still gets every line once, in order', async () => {
    const drain = await receiver();
    const app = await createApp('drains-retry');
    const created = await addDrain('drains-retry', `${drain.base}/`).expect(201);
    drain.answer(503);
    await ingest(app.id, ['one', 'two']);
    await eventually(async () => {
      expect(drain.requests.length).toBeGreaterThan(0);
      const row = await t.prisma.logDrain.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(row).toMatchObject({ lastError: 'answered 503' });
      expect(row.failures).toBeGreaterThanOrEqual(1);
      expect(row.retryAt).not.toBeNull();
    });
    await ingest(app.id, ['three']);
    drain.answer(200);

    await eventually(
      () => expect(drain.accepted().map(message)).toEqual(['one', 'two', 'three']),
      30_000,
    );
    const failed = drain.requests.filter((r) => r.status === 503);
    expect(failed[0].frames.map(message)).toEqual(['one', 'two']);
    // The receiver has the lines a moment before the delivery records that it took them.
    await eventually(async () => {
      const row = await t.prisma.logDrain.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(row).toMatchObject({ failures: 0, retryAt: null, lastError: null, dropped: 0n });
    });
  }, 45_000);

  it('drops a batch the drain refuses with a 4xx, as Logplex does, and reports it with the next', async () => {
    const drain = await receiver();
    const app = await createApp('drains-refused');
    const created = await addDrain('drains-refused', `${drain.base}/`).expect(201);
    drain.answer(400);
    await ingest(app.id, ['refused one', 'refused two']);
    await eventually(async () => {
      const row = await t.prisma.logDrain.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(row).toMatchObject({ dropped: 2n, unreported: 2n, failures: 0 });
    });
    drain.answer(200);
    await ingest(app.id, ['taken']);
    const frames = await eventually(() => {
      expect(drain.accepted()).toHaveLength(2);
      return drain.accepted();
    });
    expect(message(frames[0])).toMatch(
      /^Error L10 \(output buffer overflow\): 2 messages dropped since /,
    );
    expect(message(frames[1])).toBe('taken');
    expect(drain.requests.map((r) => r.status)).toEqual([400, 200]);
    await eventually(async () => {
      const row = await t.prisma.logDrain.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(row).toMatchObject({ dropped: 2n, unreported: 0n, unreportedSince: null });
    });
  });

  it('tells a drain that fell more than 1,500 lines behind how many it lost, as an L10 line', async () => {
    const drain = await receiver();
    const app = await createApp('drains-behind');
    const created = await addDrain('drains-behind', `${drain.base}/`).expect(201);
    drain.answer(503);
    // While it answers 503 its backoff grows (a few seconds at most here): the waits below allow for it.
    for (let batch = 0; batch < 2; batch++)
      await ingest(
        app.id,
        Array.from({ length: 1000 }, (_, i) => `line ${batch * 1000 + i + 1}`),
      );
    // Up only once it has refused a delivery: one that read lines 1-500 before the second
    // batch pushed them out would take them otherwise (its deliveries never overlap).
    await eventually(() => expect(drain.requests.some((r) => r.status === 503)).toBe(true));
    drain.answer(200);

    const expected = Array.from({ length: 1500 }, (_, i) => `line ${i + 501}`);
    const frames = await eventually(() => {
      expect(drain.accepted()).toHaveLength(1501);
      return drain.accepted();
    }, 50_000);
    expect(frames[0]).toMatch(
      /^<172>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00 host heroku logplex - Error L10 \(output buffer overflow\): 500 messages dropped since \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00\.$/,
    );
    expect(frames.slice(1).map(message)).toEqual(expected);
    const accepted = drain.requests.filter((r) => r.status === 200);
    expect(accepted.every((r) => Number(r.headers['logplex-msg-count']) === r.frames.length)).toBe(
      true,
    );
    expect(Math.max(...accepted.map((r) => r.frames.length))).toBeLessThanOrEqual(501);
    await eventually(async () => {
      const row = await t.prisma.logDrain.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(row).toMatchObject({ dropped: 500n, unreported: 0n });
    });
  }, 60_000);

  it('delivers a line that arrived during another delivery of the drain soon after it, not at the sweep', async () => {
    const drain = await receiver();
    const app = await createApp('drains-busy');
    const created = await addDrain('drains-busy', `${drain.base}/`).expect(201);
    drain.hang();
    await ingest(app.id, ['first']);
    await eventually(() => expect(drain.requests).toHaveLength(1));
    await ingest(app.id, ['second']);
    // The wake-up's job found the drain's lock held and put itself off by a second.
    await eventually(async () => {
      const [{ postponed }] = await t.prisma.$queryRaw<{ postponed: number }[]>`
        SELECT count(*)::int AS postponed FROM graphile_worker.jobs
        WHERE key = ${`log-drain:${created.body.id}`} AND run_at > created_at + interval '500 ms'`;
      expect(postponed).toBe(1);
    });
    drain.release(200);

    await eventually(() => expect(drain.accepted().map(message)).toEqual(['first', 'second']));
    expect(drain.requests.map((r) => r.frames.map(message))).toEqual([['first'], ['second']]);
  });

  it('delivers each line exactly once with two API replicas on one database', async () => {
    const replica = await startTestApp(ENV, { reset: false });
    try {
      const drain = await receiver();
      const app = await createApp('drains-replicas');
      await addDrain('drains-replicas', `${drain.base}/`).expect(201);
      // The replica wakes the drain once its feed has heard of it.
      await replica.app.get(ChangeFeed).caughtUp();
      const sent: string[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, batch) => {
          const messages = Array.from({ length: 10 }, (_, i) => `batch ${batch} line ${i}`);
          sent.push(...messages);
          return ingest(app.id, messages, batch % 2 ? replica : t);
        }),
      );
      const inLog = (
        await t.prisma.logLine.findMany({
          where: { appId: app.id, dyno: 'router' },
          orderBy: { seq: 'asc' },
        })
      ).map((line) => line.message);
      expect([...inLog].sort()).toEqual([...sent].sort());

      await eventually(() => expect(drain.accepted().map(message)).toEqual(inLog), 20_000);
      expect(new Set(drain.requests.map((r) => r.headers['logplex-frame-id'])).size).toBe(
        drain.requests.length,
      );
    } finally {
      await replica.close();
    }
  });
});
