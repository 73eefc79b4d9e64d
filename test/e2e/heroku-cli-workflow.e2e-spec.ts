import { HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

const PAGE_URL = '//s3.amazonaws.com/bucket/page.html';
/**
 * `ps` prints when a dyno last changed: `2026/11/27 07:06:57 +0000 (~ 2s ago)`, or
 * `(~ 1m ago)` on a slow run: the unit is the CLI's choice, not ours.
 */
const SINCE = String.raw`\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \+0000 \(~ \d+[smh] ago\)`;
/** The CLI wraps ` ›   Error: ...` lines at 80 columns; this joins them back up. */
const unwrap = (stderr: string) => stderr.replace(/ *\n › {3}/g, ' ');

/**
 * The real Heroku CLI against a listening drydock: the maintenance workflow of the
 * product brief, from `heroku maintenance:on` to `heroku config:set MAINTENANCE_PAGE_URL`,
 * in order, on one app in a Private Space (myapp) and one in the common runtime (webapp).
 */
describe('Heroku CLI: the maintenance workflow', () => {
  let t: TestApp;
  let cli: HerokuCli;
  let user: { id: string; token: string };
  let other: { id: string; token: string };

  const app = () => t.prisma.app.findUniqueOrThrow({ where: { name: 'myapp' } });
  const formation = (appName = 'myapp') =>
    t.prisma.formation.findMany({
      where: { app: { name: appName } },
      orderBy: { type: 'asc' },
      select: { type: true, quantity: true, size: true },
    });
  const dynos = (appName = 'myapp') =>
    t.prisma.dyno.findMany({
      where: { app: { name: appName } },
      orderBy: { name: 'asc' },
      select: { name: true, type: true, size: true, state: true, command: true },
    });
  const dynoStates = async () =>
    Object.fromEntries((await dynos()).map((dyno) => [dyno.name, dyno.state]));
  /** What a dyno manager would report once every dyno runs. */
  const allUp = () =>
    t.prisma.dyno.updateMany({ where: { app: { name: 'myapp' } }, data: { state: 'up' } });
  const releaseVersions = () =>
    t.prisma.release.findMany({
      where: { app: { name: 'myapp' } },
      orderBy: { version: 'asc' },
      select: { version: true, description: true, userId: true },
    });

  beforeAll(async () => {
    t = await startTestApp();
    const port = await t.listen();
    user = await t.createUser('operator@example.com');
    other = await t.createUser('someone-else@example.com');
    cli = await herokuCli(port, user.token);
    const processTypes = { web: 'npm start', worker: 'node worker.js' };
    await t.http().post('/spaces').set(bearer(user.token)).send({ name: 'nasa' }).expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(user.token))
      .send({ name: 'myapp', space: 'nasa', process_types: processTypes })
      .expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(user.token))
      .send({ name: 'webapp', process_types: processTypes })
      .expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(other.token))
      .send({ name: 'not-mine', process_types: processTypes })
      .expect(201);
  }, 60_000);
  afterAll(() => t.close());

  it('starts from web=1 worker=0 at Private-S for an app in a Private Space', async () => {
    expect(await formation()).toEqual([
      { type: 'web', quantity: 1, size: 'Private-S' },
      { type: 'worker', quantity: 0, size: 'Private-S' },
    ]);
    expect((await dynos()).map((dyno) => dyno.name)).toEqual(['web.1']);
  });

  it('maintenance prints off for an app out of maintenance', async () => {
    const result = await cli.run('maintenance', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: 'off\n', stderr: '' });
  });

  it('ps:scale web=3:Private-M worker=2:Private-M scales and resizes both types at once', async () => {
    const result = await cli.run(
      'ps:scale',
      'web=3:Private-M',
      'worker=2:Private-M',
      '-a',
      'myapp',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'Scaling dynos... done, now running web at 3:Private-M, worker at 2:Private-M',
    );
    expect(await formation()).toEqual([
      { type: 'web', quantity: 3, size: 'Private-M' },
      { type: 'worker', quantity: 2, size: 'Private-M' },
    ]);
    expect(await dynos()).toEqual([
      { name: 'web.1', type: 'web', size: 'Private-M', state: 'starting', command: 'npm start' },
      { name: 'web.2', type: 'web', size: 'Private-M', state: 'starting', command: 'npm start' },
      { name: 'web.3', type: 'web', size: 'Private-M', state: 'starting', command: 'npm start' },
      {
        name: 'worker.1',
        type: 'worker',
        size: 'Private-M',
        state: 'starting',
        command: 'node worker.js',
      },
      {
        name: 'worker.2',
        type: 'worker',
        size: 'Private-M',
        state: 'starting',
        command: 'node worker.js',
      },
    ]);
    // Scaling is not a release, as on Heroku.
    expect((await releaseVersions()).map((r) => r.version)).toEqual([1]);
  }, 30_000);

  it('maintenance:on enables maintenance and leaves the formation and dynos as they were', async () => {
    await allUp();
    const snapshot = async () => ({
      formation: await t.prisma.formation.findMany({
        where: { app: { name: 'myapp' } },
        orderBy: { type: 'asc' },
      }),
      dynos: await t.prisma.dyno.findMany({
        where: { app: { name: 'myapp' } },
        orderBy: { name: 'asc' },
      }),
      releases: await t.prisma.release.count({ where: { app: { name: 'myapp' } } }),
    });
    const before = await snapshot();

    const on = await cli.run('maintenance:on', '-a', 'myapp');
    expect(on).toMatchObject({ code: 0, stdout: '' });
    expect(on.stderr).toContain('Enabling maintenance mode for myapp... done');
    expect((await app()).maintenance).toBe(true);
    expect(await snapshot()).toEqual(before);
    const event = await t.prisma.event.findFirstOrThrow({
      where: { appName: 'myapp', action: 'maintenance.enable' },
    });
    expect(event.actorId).toBe(user.id);

    const status = await cli.run('maintenance', '-a', 'myapp');
    expect(status).toMatchObject({ code: 0, stdout: 'on\n' });
  }, 30_000);

  it('ps during maintenance shows web=3 and worker=2 at Private-M, grouped by command', async () => {
    const result = await cli.run('ps', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = (type: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${type}.${i + 1}: up ${SINCE}\n`).join('');
    expect(result.stdout).toMatch(
      new RegExp(
        '^=== web \\(Private-M\\): npm start \\(3\\)\n\n' +
          lines('web', 3) +
          '\n=== worker \\(Private-M\\): node worker\\.js \\(2\\)\n\n' +
          lines('worker', 2) +
          '\n$',
      ),
    );
  });

  it('ps:scale web=0 in a Private Space during maintenance is refused and names the override', async () => {
    const result = await cli.run('ps:scale', 'web=0', '-a', 'myapp');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Scaling dynos... !');
    expect(unwrap(result.stderr)).toContain(
      'Refusing to scale web to 0 for myapp: it is in maintenance mode in the Private Space nasa',
    );
    expect(unwrap(result.stderr)).toContain('send "override_private_space_guard": true');
    expect(result.stderr).toContain('Error ID: invalid_params');
    expect(await formation()).toEqual([
      { type: 'web', quantity: 3, size: 'Private-M' },
      { type: 'worker', quantity: 2, size: 'Private-M' },
    ]);
    expect((await dynos()).filter((dyno) => dyno.type === 'web')).toHaveLength(3);
  });

  it('ps:scale worker=0 stops the workers during maintenance and keeps web', async () => {
    const result = await cli.run('ps:scale', 'worker=0', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('Scaling dynos... done, now running worker at 0:Private-M');
    expect(await formation()).toEqual([
      { type: 'web', quantity: 3, size: 'Private-M' },
      { type: 'worker', quantity: 0, size: 'Private-M' },
    ]);
    expect(await dynoStates()).toEqual({ 'web.1': 'up', 'web.2': 'up', 'web.3': 'up' });
  });

  it('run:detached starts a one-off dyno while maintenance is on', async () => {
    const result = await cli.run('run:detached', 'rake db:migrate', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Running rake db:migrate on myapp... done, run.1');
    expect(result.stdout).toBe('Run heroku logs --app myapp --dyno run.1 to view the output.\n\n');
    expect((await app()).maintenance).toBe(true);
    const oneOff = await t.prisma.dyno.findFirstOrThrow({
      where: { app: { name: 'myapp' }, name: 'run.1' },
    });
    expect(oneOff).toMatchObject({
      type: 'run',
      command: 'rake db:migrate',
      size: 'Private-S',
      state: 'starting',
      attach: false,
    });

    const ps = await cli.run('ps', '-a', 'myapp');
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(
      new RegExp(
        `^=== run: one-off processes \\(1\\)\n\nrun\\.1 \\(Private-S\\): starting ${SINCE}: rake db:migrate\n\n` +
          '=== web \\(Private-M\\): npm start \\(3\\)\n',
      ),
    );
  }, 30_000);

  it('ps:scale worker=2 brings the workers back, and worker+1 scales relatively', async () => {
    const absolute = await cli.run('ps:scale', 'worker=2', '-a', 'myapp');
    expect(absolute).toMatchObject({ code: 0, stdout: '' });
    expect(absolute.stderr).toContain('Scaling dynos... done, now running worker at 2:Private-M');
    expect((await formation())[1]).toEqual({ type: 'worker', quantity: 2, size: 'Private-M' });

    const relative = await cli.run('ps:scale', 'worker+1', '-a', 'myapp');
    expect(relative).toMatchObject({ code: 0, stdout: '' });
    expect(relative.stderr).toContain('Scaling dynos... done, now running worker at 3:Private-M');
    expect((await formation())[1]).toEqual({ type: 'worker', quantity: 3, size: 'Private-M' });
    expect(
      (await dynos()).filter((dyno) => dyno.type === 'worker').map((dyno) => dyno.name),
    ).toEqual(['worker.1', 'worker.2', 'worker.3']);

    const current = await cli.run('ps:scale', '-a', 'myapp');
    expect(current).toMatchObject({ code: 0, stdout: 'web=3:Private-M worker=3:Private-M\n' });
  }, 30_000);

  it('ps:scale of an unknown process type fails with not_found and changes nothing', async () => {
    const result = await cli.run('ps:scale', 'nosuchtype=1', '-a', 'myapp');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Scaling dynos... !');
    expect(unwrap(result.stderr)).toContain(
      "Couldn't find that formation: myapp has no nosuchtype process type (types: web, worker).",
    );
    expect(result.stderr).toContain('Error ID: not_found');
    expect(await formation()).toEqual([
      { type: 'web', quantity: 3, size: 'Private-M' },
      { type: 'worker', quantity: 3, size: 'Private-M' },
    ]);
  });

  it('maintenance:off disables maintenance and leaves the dynos running', async () => {
    const before = await dynoStates();
    const off = await cli.run('maintenance:off', '-a', 'myapp');
    expect(off).toMatchObject({ code: 0, stdout: '' });
    expect(off.stderr).toContain('Disabling maintenance mode for myapp... done');
    expect((await app()).maintenance).toBe(false);
    expect(await dynoStates()).toEqual(before);

    const status = await cli.run('maintenance', '-a', 'myapp');
    expect(status).toMatchObject({ code: 0, stdout: 'off\n' });
  }, 30_000);

  it('ps:stop --dyno-name stops and removes a one-off dyno', async () => {
    const result = await cli.run('ps:stop', '--dyno-name', 'run.1', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('Stopping dyno run.1 on myapp... done');
    expect(await t.prisma.dyno.count({ where: { app: { name: 'myapp' }, type: 'run' } })).toBe(0);
  });

  it('ps:stop --process-type stops the dynos of that type and keeps its formation', async () => {
    await allUp();
    const result = await cli.run('ps:stop', '--process-type', 'worker', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('Stopping all worker dynos on myapp... done');
    expect(await dynoStates()).toEqual({
      'web.1': 'up',
      'web.2': 'up',
      'web.3': 'up',
      'worker.1': 'down',
      'worker.2': 'down',
      'worker.3': 'down',
    });
    expect((await formation())[1]).toEqual({ type: 'worker', quantity: 3, size: 'Private-M' });
  });

  it('ps:restart --dyno-name restarts that dyno only', async () => {
    await allUp();
    const result = await cli.run('ps:restart', '--dyno-name', 'web.1', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('Restarting dyno web.1 on myapp... done');
    expect(await dynoStates()).toEqual({
      'web.1': 'starting',
      'web.2': 'up',
      'web.3': 'up',
      'worker.1': 'up',
      'worker.2': 'up',
      'worker.3': 'up',
    });
  });

  it('ps:restart --process-type restarts the dynos of that type', async () => {
    await allUp();
    const result = await cli.run('ps:restart', '--process-type', 'web', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('Restarting all web dynos on myapp... done');
    expect(await dynoStates()).toEqual({
      'web.1': 'starting',
      'web.2': 'starting',
      'web.3': 'starting',
      'worker.1': 'up',
      'worker.2': 'up',
      'worker.3': 'up',
    });
  });

  it('ps:restart restarts every dyno of the app', async () => {
    await allUp();
    const result = await cli.run('ps:restart', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('Restarting all dynos on myapp... done');
    const states = await dynoStates();
    expect(Object.keys(states)).toHaveLength(6);
    expect(new Set(Object.values(states))).toEqual(new Set(['starting']));
    expect(await formation()).toEqual([
      { type: 'web', quantity: 3, size: 'Private-M' },
      { type: 'worker', quantity: 3, size: 'Private-M' },
    ]);
  });

  it('config:set MAINTENANCE_PAGE_URL stores the scheme-relative URL and prints release v2', async () => {
    await allUp();
    const result = await cli.run('config:set', `MAINTENANCE_PAGE_URL=${PAGE_URL}`, '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'Setting MAINTENANCE_PAGE_URL and restarting myapp... done, v2',
    );
    expect(result.stdout).toBe(`MAINTENANCE_PAGE_URL: ${PAGE_URL}\n`);
    const stored = await t.prisma.configVar.findFirstOrThrow({
      where: { app: { name: 'myapp' }, key: 'MAINTENANCE_PAGE_URL' },
    });
    expect(stored.value).not.toContain('s3.amazonaws.com');
    expect(await releaseVersions()).toEqual([
      { version: 1, description: 'Initial release', userId: user.id },
      { version: 2, description: 'Set MAINTENANCE_PAGE_URL config vars', userId: user.id },
    ]);
  });

  it('config:set restarts the formation dynos on the new release, as it prints', async () => {
    const v2 = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: 'myapp' }, version: 2 },
    });
    const formationDynos = await t.prisma.dyno.findMany({
      where: { app: { name: 'myapp' }, type: { not: 'run' } },
      orderBy: { name: 'asc' },
      select: { name: true, state: true, releaseId: true },
    });
    expect(formationDynos).toHaveLength(6);
    expect(formationDynos).toEqual(
      formationDynos.map((dyno) => ({ name: dyno.name, state: 'starting', releaseId: v2.id })),
    );
  });

  it('config and config:get print the maintenance page URL', async () => {
    const config = await cli.run('config', '-a', 'myapp');
    expect(config).toMatchObject({
      code: 0,
      stdout: `=== myapp Config Vars\n\nMAINTENANCE_PAGE_URL: ${PAGE_URL}\n`,
    });
    const get = await cli.run('config:get', 'MAINTENANCE_PAGE_URL', '-a', 'myapp');
    expect(get).toMatchObject({ code: 0, stdout: `${PAGE_URL}\n`, stderr: '' });
  }, 30_000);

  it('config:set MAINTENANCE_PAGE_URL=ftp://x fails with invalid_params and makes no release', async () => {
    const result = await cli.run('config:set', 'MAINTENANCE_PAGE_URL=ftp://x', '-a', 'myapp');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Setting MAINTENANCE_PAGE_URL and restarting myapp... !');
    expect(unwrap(result.stderr)).toContain(
      'MAINTENANCE_PAGE_URL must be an http(s) URL or a scheme-relative one',
    );
    expect(unwrap(result.stderr)).toContain('got "ftp://x"');
    expect(result.stderr).toContain('Error ID: invalid_params');
    expect((await releaseVersions()).map((r) => r.version)).toEqual([1, 2]);
    const get = await t.http().get('/apps/myapp/config-vars').set(bearer(user.token)).expect(200);
    expect(get.body).toEqual({ MAINTENANCE_PAGE_URL: PAGE_URL });
  });

  it('config:unset removes the URL and prints release v3', async () => {
    const result = await cli.run('config:unset', 'MAINTENANCE_PAGE_URL', '-a', 'myapp');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain(
      'Unsetting MAINTENANCE_PAGE_URL and restarting myapp... done, v3',
    );
    expect(await t.prisma.configVar.count({ where: { app: { name: 'myapp' } } })).toBe(0);
    const get = await cli.run('config:get', 'MAINTENANCE_PAGE_URL', '-a', 'myapp');
    expect(get).toMatchObject({ code: 0, stdout: '\n' });
    expect((await releaseVersions())[2]).toEqual({
      version: 3,
      description: 'Remove MAINTENANCE_PAGE_URL config vars',
      userId: user.id,
    });
  });

  it('releases lists the releases newest first with the current version', async () => {
    const result = await cli.run('releases', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('=== myapp Releases - Current: v3');
    const rows = result.stdout
      .split('\n')
      .filter((line) => /^\s+v\d+\s/.test(line))
      .map((line) => line.trim().split(/\s{2,}/));
    expect(rows.map((row) => row.slice(0, 3))).toEqual([
      ['v3', 'Remove MAINTENANCE_PAGE_URL config vars', 'operator@example.com'],
      ['v2', 'Set MAINTENANCE_PAGE_URL config vars', 'operator@example.com'],
      ['v1', 'Initial release', 'operator@example.com'],
    ]);
    for (const row of rows) expect(row[3]).toMatch(new RegExp(`^${SINCE}$`));
  });

  it('releases:info without a version shows the current release', async () => {
    const result = await cli.run('releases:info', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^=== Release v3\n\n/);
    expect(result.stdout).toMatch(/^By:\s+operator@example\.com$/m);
    expect(result.stdout).toMatch(/^Change:\s+Remove MAINTENANCE_PAGE_URL config vars$/m);
    expect(result.stdout).toMatch(/^When:\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/m);
    expect(result.stdout).toContain('=== v3 Config vars');
    expect(result.stdout).not.toContain('MAINTENANCE_PAGE_URL:');
  });

  it('releases:info v2 shows that release and its config vars', async () => {
    const result = await cli.run('releases:info', 'v2', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^=== Release v2\n\n/);
    expect(result.stdout).toMatch(/^By:\s+operator@example\.com$/m);
    expect(result.stdout).toMatch(/^Change:\s+Set MAINTENANCE_PAGE_URL config vars$/m);
    expect(result.stdout).toMatch(/^Eligible for Rollback\?:\s+Yes$/m);
    expect(result.stdout).toContain(`=== v2 Config vars\n\nMAINTENANCE_PAGE_URL: ${PAGE_URL}\n`);
  });

  it("releases:rollback v2 makes v4 with v2's config vars, restarting every dyno on it", async () => {
    const result = await cli.run('releases:rollback', 'v2', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Rolling back myapp to v2... done, v4');
    expect(result.stderr).toContain('To undo, run: heroku rollback v3');
    expect((await releaseVersions())[3]).toEqual({
      version: 4,
      description: 'Rollback to v2',
      userId: user.id,
    });
    const get = await cli.run('config:get', 'MAINTENANCE_PAGE_URL', '-a', 'myapp');
    expect(get).toMatchObject({ code: 0, stdout: `${PAGE_URL}\n` });
    const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'myapp' } });
    const onOthers = await t.prisma.dyno.count({
      where: { appId: app.id, type: { not: 'run' }, release: { version: { not: 4 } } },
    });
    expect(onOthers).toBe(0);
  });

  it('rollback without a version goes back to the release before the current one', async () => {
    const result = await cli.run('rollback', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Rolling back myapp to v3... done, v5');
    expect((await releaseVersions())[4]).toMatchObject({
      version: 5,
      description: 'Rollback to v3',
    });
    const get = await cli.run('config:get', 'MAINTENANCE_PAGE_URL', '-a', 'myapp');
    expect(get).toMatchObject({ code: 0, stdout: '\n' });
  });

  it('ps:type standard-2x resizes every process type of a common-runtime app', async () => {
    const result = await cli.run('ps:type', 'standard-2x', '-a', 'webapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Scaling dynos on webapp... done');
    expect(result.stdout).toContain('=== Process Types');
    expect(result.stdout).toMatch(/^\s*web\s+Standard-2X\s+1\s+~\$0\.069\s+\$50\s*$/m);
    expect(result.stdout).toMatch(/^\s*worker\s+Standard-2X\s+0\s+~\$0\.069\s+\$0\s*$/m);
    expect(result.stdout).toContain('=== Dyno Totals');
    expect(result.stdout).toMatch(/^\s*Standard-2X\s+1\s*$/m);
    expect(await formation('webapp')).toEqual([
      { type: 'web', quantity: 1, size: 'Standard-2X' },
      { type: 'worker', quantity: 0, size: 'Standard-2X' },
    ]);
    expect(await dynos('webapp')).toMatchObject([{ name: 'web.1', size: 'Standard-2X' }]);
  });

  it('ps:type web=Standard-1X resizes only web', async () => {
    const result = await cli.run('ps:type', 'web=Standard-1X', '-a', 'webapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Scaling dynos on webapp... done');
    expect(result.stdout).toMatch(/^\s*web\s+Standard-1X\s+1\s+~\$0\.035\s+\$25\s*$/m);
    expect(result.stdout).toMatch(/^\s*worker\s+Standard-2X\s+0\s+/m);
    expect(result.stdout).toMatch(/^\s*Standard-1X\s+1\s*$/m);
    expect(result.stdout).toMatch(/^\s*Standard-2X\s+0\s*$/m);
    expect(await formation('webapp')).toEqual([
      { type: 'web', quantity: 1, size: 'Standard-1X' },
      { type: 'worker', quantity: 0, size: 'Standard-2X' },
    ]);
  });

  it("maintenance:on and ps:scale on someone else's app fail with forbidden", async () => {
    const before = await formation('not-mine');
    const maintenance = await cli.run('maintenance:on', '-a', 'not-mine');
    expect(maintenance.code).toBe(2);
    expect(maintenance.stderr).toContain('Enabling maintenance mode for not-mine... !');
    expect(maintenance.stderr).toContain('Error: You do not have access to the app not-mine.');
    expect(maintenance.stderr).toContain('Error ID: forbidden');
    const scale = await cli.run('ps:scale', 'web=2', '-a', 'not-mine');
    expect(scale.code).toBe(2);
    expect(scale.stderr).toContain('Error ID: forbidden');
    const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'not-mine' } });
    expect(app.maintenance).toBe(false);
    expect(await formation('not-mine')).toEqual(before);
  }, 30_000);
});
