import { createHash } from 'node:crypto';
import { openSse } from '../support/sse-client.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

interface Managed {
  name: string;
  type: string;
  state: string;
  generation: number;
  env: Record<string, string>;
  slug: unknown;
  attached: boolean;
  attach: {
    secret_sha256: string;
    expires_at: string;
    tty: boolean;
    columns: number | null;
    lines: number | null;
  } | null;
  app: { name: string };
}

/** The control plane's side of docs/dyno-manager-api.md, through HTTP. */
describe('dyno manager API', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let manager: string;

  const listApp = async (app = 'runner'): Promise<Managed[]> =>
    (await t.http().get(`/dyno-manager/v1/apps/${app}/dynos`).set(bearer(manager)).expect(200))
      .body;
  const find = async (name: string, app = 'runner') =>
    (await listApp(app)).find((dyno) => dyno.name === name);

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('runner-owner@example.com');
    manager = await t.mintToken(['dyno-manager']);
    for (const name of ['runner', 'other-runner']) {
      await t
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name, process_types: { web: 'node web.js', worker: 'node worker.js' } })
        .expect(201);
      await t
        .http()
        .patch(`/apps/${name}/config-vars`)
        .set(bearer(owner.token))
        .send({ GREETING: `hello from ${name}` })
        .expect(200);
    }
    await t
      .http()
      .patch('/apps/runner/formation/worker')
      .set(bearer(owner.token))
      .send({ quantity: 2 })
      .expect(200);
  });

  afterAll(() => t.close());

  it('lists every dyno of every app with its release environment, at a version to watch from', async () => {
    const response = await t.http().get('/dyno-manager/v1/dynos').set(bearer(manager)).expect(200);
    expect(response.body.version).toBeGreaterThan(0);
    const names = response.body.dynos.map((d: Managed) => `${d.app.name}/${d.name}`).sort();
    expect(names).toEqual([
      'other-runner/web.1',
      'runner/web.1',
      'runner/worker.1',
      'runner/worker.2',
    ]);
    const web = response.body.dynos.find((d: Managed) => d.app.name === 'runner');
    expect(web.env).toEqual({ GREETING: 'hello from runner' });
    expect(web.slug).toBeNull();
    expect(web.attach).toBeNull();
    expect(web.attached).toBe(false);
    await t.http().get('/dyno-manager/v1/dynos').set(bearer(owner.token)).expect(403);
  });

  it('refuses a report about an older generation with 409 and changes nothing', async () => {
    const before = (await find('web.1'))!;
    await t.http().delete('/apps/runner/dynos/web.1').set(bearer(owner.token)).expect(202);
    const restarted = (await find('web.1'))!;
    expect(restarted.generation).toBe(before.generation + 1);
    expect(restarted.state).toBe('starting');

    const stale = await t
      .http()
      .put('/dyno-manager/v1/apps/runner/dynos/web.1/state')
      .set(bearer(manager))
      .send({ state: 'up', generation: before.generation, address: '127.0.0.1:5100' })
      .expect(409);
    expect(stale.body.id).toBe('conflict');
    expect((await find('web.1'))!.state).toBe('starting');

    const fresh = await t.reportDyno('runner', 'web.1', {
      state: 'up',
      address: '127.0.0.1:5100',
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ state: 'up', address: '127.0.0.1:5100' });
  });

  it('starts every formation dyno again on a new release, and a stopped formation dyno too', async () => {
    const before = Object.fromEntries((await listApp()).map((d) => [d.name, d.generation]));
    await t
      .http()
      .patch('/apps/runner/config-vars')
      .set(bearer(owner.token))
      .send({ GREETING: 'hi again' })
      .expect(200);
    const after = await listApp();
    for (const dyno of after) expect(dyno.generation).toBe(before[dyno.name] + 1);
    expect(after[0].env.GREETING).toBe('hi again');

    await t.reportDyno('runner', 'worker.1', { state: 'up' });
    await t
      .http()
      .post('/apps/runner/dynos/worker.1/actions/stop')
      .set(bearer(owner.token))
      .expect(202);
    const stopped = (await find('worker.1'))!;
    expect(stopped).toMatchObject({ state: 'down', generation: before['worker.1'] + 2 });
  });

  it('restarts a process type named where a dyno goes, as `heroku ps:restart worker` does on Heroku', async () => {
    const before = Object.fromEntries((await listApp()).map((d) => [d.name, d.generation]));
    await t.http().delete('/apps/runner/dynos/worker').set(bearer(owner.token)).expect(202);
    const after = Object.fromEntries((await listApp()).map((d) => [d.name, d.generation]));
    expect(after).toEqual({
      ...before,
      'worker.1': before['worker.1'] + 1,
      'worker.2': before['worker.2'] + 1,
    });
    const missing = await t
      .http()
      .delete('/apps/runner/dynos/clock')
      .set(bearer(owner.token))
      .expect(404);
    expect(missing.body.id).toBe('not_found');
    await t.http().delete('/apps/runner/dynos/web.9').set(bearer(owner.token)).expect(404);
  });

  it('ends a one-off dyno whose command succeeded, and keeps a crashed one with its error until stopped', async () => {
    await t
      .http()
      .post('/apps/runner/dynos')
      .set(bearer(owner.token))
      .send({ command: 'true', env: { EXTRA: 'x' } })
      .expect(201);
    const oneOff = (await find('run.1'))!;
    expect(oneOff.env).toEqual({ GREETING: 'hi again', EXTRA: 'x' });
    await t.reportDyno('runner', 'run.1', { state: 'up' });
    expect((await t.reportDyno('runner', 'run.1', { state: 'down', exit_status: 0 })).status).toBe(
      200,
    );
    await t.http().get('/apps/runner/dynos/run.1').set(bearer(owner.token)).expect(404);
    const exit = await t.prisma.event.findFirstOrThrow({
      where: { appName: 'runner', action: 'dyno.state' },
      orderBy: { version: 'desc' },
    });
    expect(exit.data).toMatchObject({ name: 'run.1', state: 'down', exit_status: 0 });

    await t
      .http()
      .post('/apps/runner/dynos')
      .set(bearer(owner.token))
      .send({ command: 'nosuch' })
      .expect(201);
    await t.reportDyno('runner', 'run.2', { state: 'up' });
    await t.reportDyno('runner', 'run.2', {
      state: 'crashed',
      exit_status: 127,
      error: 'bash: line 1: nosuch: command not found',
    });
    const crashed = await t
      .http()
      .get('/apps/runner/dynos/run.2')
      .set(bearer(owner.token))
      .expect(200);
    expect(crashed.body).toMatchObject({
      state: 'crashed',
      exit_status: 127,
      error: 'bash: line 1: nosuch: command not found',
    });
    await t
      .http()
      .post('/apps/runner/dynos/run.2/actions/stop')
      .set(bearer(owner.token))
      .expect(202);
    await t.http().get('/apps/runner/dynos/run.2').set(bearer(owner.token)).expect(404);
  });

  describe('heroku run (attached one-off dynos)', () => {
    it('answers 503 with Retry-After while no dyno manager is alive, and runs detached ones anyway', async () => {
      const response = await t
        .http()
        .post('/apps/runner/dynos')
        .set(bearer(owner.token))
        .send({ command: 'bash', attach: true })
        .expect(503);
      expect(response.body.id).toBe('service_unavailable');
      expect(response.headers['retry-after']).toBeDefined();
      const stranger = await t.createUser('attach-stranger@example.com');
      await t
        .http()
        .post('/apps/runner/dynos')
        .set(bearer(stranger.token))
        .send({ command: 'bash', attach: true })
        .expect(403);
      await t
        .http()
        .post('/apps/runner/dynos')
        .set(bearer(owner.token))
        .send({ command: 'bash', attach: false })
        .expect(201);
    });

    it("gives the live manager's rendezvous and a single-use secret of which only the hash is kept", async () => {
      const beat = await t
        .http()
        .put('/dyno-manager/v1/managers/host-1')
        .set(bearer(manager))
        .send({ rendezvous: '127.0.0.1:5001' })
        .expect(200);
      expect(beat.body).toMatchObject({ name: 'host-1', rendezvous: '127.0.0.1:5001' });

      // The CLI on a terminal sends its size as numbers.
      const response = await t
        .http()
        .post('/apps/runner/dynos')
        .set(bearer(owner.token))
        .send({ command: 'bash', attach: true, env: { TERM: 'xterm', COLUMNS: 132, LINES: 43 } })
        .expect(201);
      const match = /^rendezvous:\/\/127\.0\.0\.1:5001\/([A-Za-z0-9_-]{43})$/.exec(
        response.body.attach_url,
      );
      expect(match).not.toBeNull();
      const secret = match![1];
      const name = response.body.name as string;

      const listed = (await find(name))!;
      expect(listed.attach).toMatchObject({
        secret_sha256: createHash('sha256').update(secret).digest('hex'),
        tty: true,
        columns: 132,
        lines: 43,
      });
      expect(listed.env).toMatchObject({ TERM: 'xterm', COLUMNS: '132', LINES: '43' });
      const stored = await t.prisma.dyno.findFirstOrThrow({
        where: { name, app: { name: 'runner' } },
      });
      expect(JSON.stringify(stored)).not.toContain(secret);

      // Once the manager started it, the secret is spent.
      await t.reportDyno('runner', name, { state: 'up' });
      expect((await find(name))!).toMatchObject({ attached: true, attach: null });

      // However it ends, an attached dyno leaves: its user watched it end.
      await t.reportDyno('runner', name, { state: 'crashed', exit_status: 3, error: 'exit' });
      await t.http().get(`/apps/runner/dynos/${name}`).set(bearer(owner.token)).expect(404);

      const pipe = await t
        .http()
        .post('/apps/runner/dynos')
        .set(bearer(owner.token))
        .send({ command: 'cat', attach: true, force_no_tty: true, env: { COLUMNS: 80, LINES: 24 } })
        .expect(201);
      expect((await find(pipe.body.name))!.attach?.tty).toBe(false);
    });

    it('refuses bad heartbeats with 422', async () => {
      for (const body of [{}, { rendezvous: 'nope' }, { rendezvous: 5001 }]) {
        await t
          .http()
          .put('/dyno-manager/v1/managers/host-1')
          .set(bearer(manager))
          .send(body)
          .expect(422);
      }
      await t
        .http()
        .put('/dyno-manager/v1/managers/host-1')
        .set(bearer(owner.token))
        .send({ rendezvous: null })
        .expect(403);
    });
  });

  it('streams every app change to managers, who may resume from a listing version', async () => {
    const { version } = (
      await t.http().get('/dyno-manager/v1/dynos').set(bearer(manager)).expect(200)
    ).body;
    const port = await t.listen();
    const stream = await openSse(
      `http://127.0.0.1:${port}/dyno-manager/v1/watch?since=${version}`,
      { Authorization: `Bearer ${manager}` },
    );
    try {
      expect(stream.status).toBe(200);
      await t
        .http()
        .patch('/apps/other-runner/formation/web')
        .set(bearer(owner.token))
        .send({ quantity: 2 })
        .expect(200);
      const messages = await stream.until((all) =>
        all.some((m) => JSON.parse(m.data).action === 'formation.update'),
      );
      const change = JSON.parse(messages.find((m) => m.data.includes('formation.update'))!.data);
      expect(change).toMatchObject({ app_name: 'other-runner', action: 'formation.update' });
    } finally {
      stream.close();
    }
    await t.http().get('/dyno-manager/v1/watch?since=abc').set(bearer(manager)).expect(422);
  });

  describe('dyno usage', () => {
    it('sums the time dynos were up per UTC day, type and size, with the part in maintenance', async () => {
      await t
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name: 'metered', process_types: { web: 'node web.js' } })
        .expect(201);
      await t.reportDyno('metered', 'web.1', { state: 'up', address: '127.0.0.1:5200' });
      await t
        .http()
        .patch('/apps/metered/maintenance')
        .set(bearer(owner.token))
        .send({ enabled: true })
        .expect(200);
      await t
        .http()
        .patch('/apps/metered/maintenance')
        .set(bearer(owner.token))
        .send({ enabled: false })
        .expect(200);
      await t.reportDyno('metered', 'web.1', { state: 'crashed', exit_status: 1 });

      // Pin the recorded times: up from 22:00 to 02:00 across midnight, in maintenance
      // from 23:30 to 00:30.
      const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'metered' } });
      await t.prisma.dynoSession.updateMany({
        where: { appId: app.id },
        data: {
          startedAt: new Date('2026-11-20T22:00:00Z'),
          endedAt: new Date('2026-11-21T02:00:00Z'),
        },
      });
      const switches = await t.prisma.maintenanceChange.findMany({
        where: { appId: app.id },
        orderBy: { version: 'asc' },
      });
      expect(switches.map((s) => s.enabled)).toEqual([true, false]);
      await t.prisma.maintenanceChange.update({
        where: { id: switches[0].id },
        data: { createdAt: new Date('2026-11-20T23:30:00Z') },
      });
      await t.prisma.maintenanceChange.update({
        where: { id: switches[1].id },
        data: { createdAt: new Date('2026-11-21T00:30:00Z') },
      });

      const usage = await t
        .http()
        .get('/apps/metered/dyno-usage?start=2026-11-19&end=2026-11-22')
        .set(bearer(owner.token))
        .expect(200);
      expect(usage.body).toEqual([
        {
          date: '2026-11-20',
          type: 'web',
          size: 'Standard-1X',
          seconds: 7200,
          dyno_units: expect.closeTo(7200 / 86400, 6),
          maintenance_seconds: 1800,
        },
        {
          date: '2026-11-21',
          type: 'web',
          size: 'Standard-1X',
          seconds: 7200,
          dyno_units: expect.closeTo(7200 / 86400, 6),
          maintenance_seconds: 1800,
        },
      ]);
    });

    it('refuses periods that are not dates, out of order or too long, and apps of others', async () => {
      for (const query of [
        '',
        '?start=yesterday',
        '?start=2026-11-02&end=2026-11-01',
        '?start=2020-01-01&end=2026-01-01',
      ]) {
        const response = await t
          .http()
          .get(`/apps/metered/dyno-usage${query}`)
          .set(bearer(owner.token))
          .expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
      const stranger = await t.createUser('usage-stranger@example.com');
      await t
        .http()
        .get('/apps/metered/dyno-usage?start=2026-11-01')
        .set(bearer(stranger.token))
        .expect(403);
      await t
        .http()
        .get('/apps/metered/dyno-usage?start=2026-11-01')
        .set(bearer(ADMIN_TOKEN))
        .expect(200);
    });
  });
});
