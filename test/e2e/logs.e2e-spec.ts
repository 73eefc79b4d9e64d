import { LOG_TAIL_APPLICATION_NAME } from '../../src/logs/log-tail-hub.service.js';
import { openSse, SseStream } from '../support/sse-client.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

const LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00 (app|heroku)\[[a-z0-9._-]+\]: /;

describe('logs: sessions, ingest and the lines the platform writes', () => {
  let t: TestApp;
  let replica: TestApp;
  let base: string;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let routerToken: string;
  let managerToken: string;
  let appId: string;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    replica = await startTestApp({}, { reset: false });
    base = `http://127.0.0.1:${await t.listen()}`;
    owner = await t.createUser('logs-owner@example.com');
    other = await t.createUser('logs-other@example.com');
    routerToken = await t.mintToken(['routing']);
    managerToken = await t.mintToken(['dyno-manager']);
    const created = await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'logs-app', process_types: { web: 'npm start', worker: 'node worker.js' } })
      .expect(201);
    appId = created.body.id;
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await replica.close();
    await t.close();
  });

  const session = (body: object, token = owner.token, app = 'logs-app', on = t) =>
    on.http().post(`/apps/${app}/log-sessions`).set(bearer(token)).send(body);
  /** The lines of a session without tail: the stream ends after them. */
  async function read(body: object): Promise<string[]> {
    const created = await session(body).expect(201);
    const stream = await openSse(created.body.logplex_url, {});
    expect(stream.status).toBe(200);
    await stream.until(() => stream.ended);
    return stream.messages.map((m) => m.data);
  }
  const ingest = (lines: object[], token = routerToken) =>
    t.http().post('/logs/v1/lines').set(bearer(token)).send({ lines });
  const routerLine = (message: string, time?: string) => ({
    app_id: appId,
    source: 'heroku',
    dyno: 'router',
    message,
    ...(time ? { time } : {}),
  });

  it("answers Heroku's log session shape with a URL that needs no credentials", async () => {
    const created = await session({ lines: 10, tail: false }).expect(201);
    expect(Object.keys(created.body).sort()).toEqual([
      'created_at',
      'id',
      'logplex_url',
      'updated_at',
    ]);
    expect(created.body.logplex_url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:\\d+/log-streams/${created.body.id}\\?grant=`),
    );
  });

  it('writes app[api] lines for each change, with who made it and no config value', async () => {
    await t
      .http()
      .patch('/apps/logs-app/config-vars')
      .set(bearer(owner.token))
      .send({ SECRET_KEY: 'hunter2-value' })
      .expect(200);
    await t
      .http()
      .patch('/apps/logs-app/formation/worker')
      .set(bearer(owner.token))
      .send({ quantity: 2 })
      .expect(200);
    await t
      .http()
      .patch('/apps/logs-app/maintenance')
      .set(bearer(owner.token))
      .send({ enabled: true, reason: 'upgrade' })
      .expect(200);
    await t
      .http()
      .patch('/apps/logs-app/maintenance')
      .set(bearer(owner.token))
      .send({ enabled: false })
      .expect(200);

    const lines = await read({ dyno: 'api' });
    for (const line of lines) expect(line).toMatch(LINE);
    expect(lines.map((line) => line.replace(LINE, ''))).toEqual([
      'Initial release by user logs-owner@example.com',
      'Release v1 created by user logs-owner@example.com',
      'Set SECRET_KEY config vars by user logs-owner@example.com',
      'Release v2 created by user logs-owner@example.com',
      'Scaled to worker@2:Standard-1X by user logs-owner@example.com',
      'Enable maintenance mode by user logs-owner@example.com: upgrade',
      'Disable maintenance mode by user logs-owner@example.com',
    ]);
    expect((await read({})).join('\n')).not.toContain('hunter2-value');
  });

  it("writes heroku[web.1] state changes from the dyno manager's reports", async () => {
    await t
      .reportDyno('logs-app', 'web.1', { state: 'up', address: '127.0.0.1:5999' }, managerToken)
      .then((r) => expect(r.status).toBe(200));
    await t
      .reportDyno('logs-app', 'web.1', { state: 'crashed', exit_status: 3 }, managerToken)
      .then((r) => expect(r.status).toBe(200));
    const lines = (await read({ dyno: 'web.1' })).map((line) => line.replace(LINE, ''));
    expect(lines).toEqual([
      'State changed from starting to up',
      'Process exited with status 3',
      'State changed from up to crashed',
    ]);
  });

  it('takes router lines from a routing token and shows them with the source and dyno filters', async () => {
    const h80 =
      'at=error code=H80 desc="Maintenance mode" method=GET path="/" host=logs-app.localhost request_id=r1 fwd="203.0.113.9" dyno= connect= service= status=503 bytes=1042 protocol=http';
    const accepted = await ingest([routerLine(h80, '2026-12-01T18:00:00.123Z')]).expect(202);
    expect(accepted.body).toEqual({ accepted: 1, skipped: 0 });
    await ingest(
      [{ app_id: appId, source: 'app', dyno: 'web.1', message: 'listening on 5999' }],
      managerToken,
    ).expect(202);

    expect(await read({ dyno: 'router' })).toEqual([
      `2026-12-01T18:00:00.123000+00:00 heroku[router]: ${h80}`,
    ]);
    const app = await read({ source: 'app' });
    expect(app.every((line) => / app\[/.test(line))).toBe(true);
    expect(app.at(-1)).toMatch(/ app\[web\.1\]: listening on 5999$/);
    const heroku = await read({ source: 'heroku', dyno: 'web' });
    expect(heroku.length).toBe(3);
    expect(heroku.every((line) => / heroku\[web\.1\]: /.test(line))).toBe(true);
    expect(await read({ lines: 2 })).toHaveLength(2);
  });

  it('refuses ingest from tokens and for lines that may not write it, storing nothing', async () => {
    const before = await t.prisma.logLine.count();
    await ingest([routerLine('x')], owner.token).expect(403);
    await ingest([{ ...routerLine('x'), source: 'app', dyno: 'web.1' }]).expect(403);
    const forged = await ingest([routerLine('x')], managerToken).expect(403);
    expect(forged.body.id).toBe('forbidden');
    await ingest([{ ...routerLine('x'), source: 'app', dyno: 'api' }], managerToken).expect(422);
    const bad = await ingest([routerLine('ok'), routerLine('two\nlines')]).expect(422);
    expect(bad.body).toMatchObject({
      id: 'invalid_params',
      message: expect.stringMatching(/^lines\[1\]\.message/),
    });
    await t
      .http()
      .post('/logs/v1/lines')
      .set(bearer(routerToken))
      .send('not json')
      .set('Content-Type', 'application/json')
      .expect(400);
    await ingest(Array.from({ length: 1001 }, () => routerLine('x'))).expect(413);
    await t.http().post('/logs/v1/lines').send({ lines: [] }).expect(401);
    expect(await t.prisma.logLine.count()).toBe(before);
  });

  it('skips lines of apps that no longer exist and keeps the others', async () => {
    const gone = await ingest([
      routerLine('kept'),
      { ...routerLine('lost'), app_id: '00000000-0000-4000-8000-000000000000' },
    ]).expect(202);
    expect(gone.body).toEqual({ accepted: 1, skipped: 1 });
  });

  it('refuses bad filters, foreign apps, and forged or other sessions', async () => {
    expect((await session({ lines: 1501 }).expect(422)).body.id).toBe('invalid_params');
    await session({ lines: -1 }).expect(422);
    await session({ lines: 'many' }).expect(422);
    expect((await session({ source: 'kernel' }).expect(422)).body.message).toMatch(
      /Unknown source kernel/,
    );
    expect((await session({ dyno: 'clock' }).expect(422)).body.message).toMatch(
      /Unknown dyno clock.*web, worker, run/,
    );
    await session({ dyno: 'web.1; rm' }).expect(422);
    await session({ dyno: 'w'.repeat(65) }).expect(422);
    await session({ dyno: 'run.4' }).expect(201);
    await session({ colour: true }).expect(422);
    await session({}, other.token).expect(403);
    await session({}, owner.token, 'no-such-app').expect(404);

    const created = await session({ tail: false }).expect(201);
    const url = new URL(created.body.logplex_url);
    const grant = url.searchParams.get('grant')!;
    const tampered = `${base}/log-streams/${created.body.id}?grant=${grant.slice(0, -2)}xx`;
    expect((await openSse(tampered, {})).status).toBe(404);
    const otherSession = `${base}/log-streams/0b9f7a3c-7d3e-4a35-9c38-7c1f3e5d2a10?grant=${grant}`;
    expect((await openSse(otherSession, {})).status).toBe(404);
    expect((await openSse(`${base}/log-streams/${created.body.id}`, {})).status).toBe(404);
  });

  it('keeps the newest 1,500 lines of an app', async () => {
    for (let batch = 0; batch < 2; batch++) {
      const lines = Array.from({ length: 1000 }, (_, i) => routerLine(`line ${batch * 1000 + i}`));
      await ingest(lines).expect(202);
    }
    expect(await t.prisma.logLine.count({ where: { appId } })).toBeLessThanOrEqual(1500 + 1000);
    const lines = await read({ lines: 1500, dyno: 'router' });
    expect(lines).toHaveLength(1500);
    expect(lines.at(-1)).toMatch(/: line 1999$/);
    expect(lines[0]).toMatch(/: line 500$/);
    await ingest([routerLine('one more')]).expect(202);
    expect(await t.prisma.logLine.count({ where: { appId } })).toBe(1500);
  });

  it('tails: a line ingested through one replica reaches a tail on another', async () => {
    const created = await session(
      { tail: true, lines: 0, dyno: 'router' },
      owner.token,
      'logs-app',
      replica,
    ).expect(201);
    const tail = await openSse(created.body.logplex_url.replace(/^http:\/\/[^/]+/, base), {});
    streams.push(tail);
    expect(tail.status).toBe(200);
    await ingest([routerLine('live 1')]).expect(202);
    await tail.until((messages) => messages.some((m) => m.data.endsWith(': live 1')));
    // Lines the filter does not keep are skipped; lines of other apps never arrive.
    await ingest(
      [{ app_id: appId, source: 'app', dyno: 'web.1', message: 'not router' }],
      managerToken,
    ).expect(202);
    await ingest([routerLine('live 2')]).expect(202);
    const messages = await tail.until((all) => all.some((m) => m.data.endsWith(': live 2')));
    expect(messages.map((m) => m.data.replace(LINE, ''))).toEqual(['live 1', 'live 2']);
    expect(tail.ended).toBe(false);
  });

  it('resumes a tail after the line its client saw last (Last-Event-ID)', async () => {
    const created = await session({ tail: true, lines: 1, dyno: 'router' }).expect(201);
    const first = await openSse(created.body.logplex_url, {});
    const [last] = await first.until((messages) => messages.length === 1);
    first.close();
    await ingest([routerLine('while away 1'), routerLine('while away 2')]).expect(202);
    const resumed = await openSse(created.body.logplex_url, { 'Last-Event-ID': last.id! });
    streams.push(resumed);
    const messages = await resumed.until((all) => all.length >= 2);
    expect(messages.map((m) => m.data.replace(LINE, ''))).toEqual(['while away 1', 'while away 2']);
    expect(Number(messages[0].id)).toBe(Number(last.id) + 1);
  });

  it('keeps tailing after losing its LISTEN connection, missing nothing written meanwhile', async () => {
    const created = await session({ tail: true, lines: 0, dyno: 'router' }).expect(201);
    const tail = await openSse(created.body.logplex_url, {});
    streams.push(tail);
    await ingest([routerLine('before the cut')]).expect(202);
    await tail.until((messages) => messages.length === 1);
    const cut = await t.prisma.$queryRaw<{ terminated: boolean }[]>`
      SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
      WHERE application_name = ${LOG_TAIL_APPLICATION_NAME} AND datname = current_database()`;
    expect(cut.length).toBeGreaterThan(0);
    await ingest([routerLine('during the cut')]).expect(202);
    const messages = await tail.until((all) => all.length === 2, 10_000);
    expect(messages[1].data).toMatch(/: during the cut$/);
    expect(tail.ended).toBe(false);
  });

  it('lets admins read any app and nobody read a deleted one', async () => {
    await session({}, ADMIN_TOKEN).expect(201);
    const created = await session({}).expect(201);
    await t.http().delete('/apps/logs-app').set(bearer(owner.token)).expect(200);
    expect((await openSse(created.body.logplex_url, {})).status).toBe(404);
    expect(await t.prisma.logLine.count({ where: { appId } })).toBe(0);
  });
});
