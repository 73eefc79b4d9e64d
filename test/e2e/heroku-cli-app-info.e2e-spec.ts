import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynoManagerProcess, startDynoManager } from '../support/dyno-manager-process.js';
import { eventually } from '../support/eventually.js';
import { HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { appArchive } from '../support/tarball.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/**
 * apps:info, apps:create, the stack commands and run:detached with the real Heroku CLI:
 * what they print must be true of drydock (sizes, git URL, stacks, a detached dyno's log).
 */
describe('Heroku CLI: apps:info, stacks and run:detached', () => {
  let t: TestApp;
  let cli: HerokuCli;
  let port: number;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    port = await t.listen();
    token = (await t.createUser('info-operator@example.com')).token;
    cli = await herokuCli(port, token);
  });
  afterAll(() => t.close());

  const gitUrl = (app: string) => `https://127.0.0.1:${port}/${app}.git`;
  const appInfo = async (app: string, ...flags: string[]) => {
    const result = await cli.run('apps:info', '-a', app, ...flags);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return result.stdout;
  };
  /** A slug of a worker-only Procfile (no web dyno to run), uploaded and released. */
  const deploy = async (app: string, stack?: string) => {
    const archive = await appArchive({ 'worker.js': 'setInterval(() => {}, 1000)\n' });
    const slug = await t
      .http()
      .post(`/apps/${app}/slugs`)
      .set(bearer(token))
      .send({ process_types: { worker: 'node worker.js' }, commit: 'abc1234def', stack })
      .expect(201);
    const upload = new URL(slug.body.blob.url);
    await t
      .http()
      .put(upload.pathname + upload.search)
      .set('Content-Type', 'application/octet-stream')
      .send(archive)
      .expect(200);
    await t
      .http()
      .post(`/apps/${app}/releases`)
      .set(bearer(token))
      .send({ slug: slug.body.id })
      .expect(201);
    return { archive, slug: slug.body as { id: string; stack: { name: string } } };
  };

  it('apps:create prints the git URL apps:info shows, and the sizes drydock has', async () => {
    const created = await cli.run('apps:create', 'cli-info');
    expect(created.code).toBe(0);
    expect(created.stdout).toBe(`https://cli-info.localhost/ | ${gitUrl('cli-info')}\n`);

    const before = await appInfo('cli-info');
    expect(before).toContain(`Git URL:        ${gitUrl('cli-info')}\n`);
    // null, which the CLI prints as 0 B: drydock keeps no repository, the app runs no slug yet.
    expect(before).toContain('Repo Size:      0 B\n');
    expect(before).toContain('Slug Size:      0 B\n');
    expect(before).toContain('Stack:          heroku-24\n');

    const { archive } = await deploy('cli-info');
    expect(archive.length).toBeLessThan(1024);
    const after = await appInfo('cli-info');
    expect(after).toContain(`Slug Size:      ${archive.length} B\n`);
    const json = JSON.parse(await appInfo('cli-info', '--json'));
    expect(json.app).toMatchObject({
      git_url: gitUrl('cli-info'),
      repo_size: null,
      slug_size: archive.length,
    });
    const shell = await appInfo('cli-info', '--shell');
    expect(shell).toContain(`git_url=${gitUrl('cli-info')}\n`);
    expect(shell).toContain(`slug_size=${archive.length} B\n`);
  });

  it('apps:info -x prints the current release, its slug and the maintenance state', async () => {
    await cli.run('maintenance:on', '-a', 'cli-info');
    const extended = await appInfo('cli-info', '-x');
    const [main, section] = extended.split('--- Extended Information ---');
    expect(main).toContain(`Git URL:        ${gitUrl('cli-info')}\n`);
    // Maintenance cuts no release: v2 is still the deploy.
    expect(section).toMatch(/current_release: \{\s+version: 2,\s+description: 'Deploy abc1234',/);
    expect(section).toMatch(
      /slug: \{\s+id: '[0-9a-f-]{36}',\s+commit: 'abc1234def',\s+checksum: 'SHA256:[0-9a-f]{64}',\s+size: \d+,\s+stack: 'heroku-24'/,
    );
    expect(section).toMatch(/maintenance: \{\s+enabled: true,/);
    expect(section).toContain('one_off_dynos_started: 0');
    const plain = await t.http().get('/apps/cli-info').set(bearer(token)).expect(200);
    expect(plain.body).not.toHaveProperty('extended');
    await cli.run('maintenance:off', '-a', 'cli-info');
  });

  it("serves Heroku's stacks, which `heroku stack` lists with the app's marked", async () => {
    const list = await t.http().get('/stacks').set(bearer(token)).expect(200);
    expect(list.body).toEqual([
      {
        created_at: expect.any(String),
        default: false,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'heroku-22',
        state: 'public',
        updated_at: expect.any(String),
      },
      expect.objectContaining({ name: 'heroku-24', default: true, state: 'public' }),
    ]);
    const byId = await t.http().get(`/stacks/${list.body[0].id}`).set(bearer(token)).expect(200);
    expect(byId.body).toEqual(list.body[0]);
    const missing = await t.http().get('/stacks/cedar-14').set(bearer(token)).expect(404);
    expect(missing.body.id).toBe('not_found');

    for (const command of ['apps:stacks', 'stack']) {
      const stacks = await cli.run(command, '-a', 'cli-info');
      expect(stacks).toEqual({
        code: 0,
        stdout: '=== cli-info Available Stacks\n\n  heroku-22\n* heroku-24\n',
        stderr: '',
      });
    }
  });

  it('stack:set on a deployed app takes effect with its next deploy', async () => {
    const set = await cli.run('stack:set', 'heroku-22', '-a', 'cli-info');
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('Setting stack to heroku-22... done');
    expect(set.stdout).toContain(
      'You will need to redeploy cli-info for the change to take effect.',
    );
    expect((await cli.run('apps:stacks', '-a', 'cli-info')).stdout).toBe(
      '=== cli-info Available Stacks\n\n  heroku-22 (active on next deploy)\n* heroku-24\n',
    );
    expect(await appInfo('cli-info')).toContain(
      'Stack:          heroku-24 (next build will use heroku-22)\n',
    );
    const events = await t.prisma.event.findMany({
      where: { appName: 'cli-info', action: 'app.stack' },
    });
    expect(events.map((event) => event.data)).toEqual([
      {
        stack: { from: 'heroku-24', to: 'heroku-24' },
        build_stack: { from: 'heroku-24', to: 'heroku-22' },
      },
    ]);

    // The next slug is made for the build stack; releasing it moves the app there.
    const { slug } = await deploy('cli-info');
    expect(slug.stack.name).toBe('heroku-22');
    expect(await appInfo('cli-info')).toContain('Stack:          heroku-22\n');
    const app = await t.http().get('/apps/cli-info').set(bearer(token)).expect(200);
    expect([app.body.stack.name, app.body.build_stack.name]).toEqual(['heroku-22', 'heroku-22']);
  });

  it('stack:set on an app that runs no slug changes its stack at once', async () => {
    await cli.run('apps:create', 'cli-fresh');
    const set = await cli.run('stack:set', 'heroku-22', '-a', 'cli-fresh');
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('');
    expect(set.stderr).toContain('Setting stack to heroku-22... done');
    expect(await appInfo('cli-fresh')).toContain('Stack:          heroku-22\n');
  });

  it('stack:set refuses a stack drydock does not have with a 422, changing nothing', async () => {
    const set = await cli.run('stack:set', 'heroku-99', '-a', 'cli-fresh');
    expect(set.code).not.toBe(0);
    // The CLI wraps its error lines behind › marks.
    expect(set.stderr.replace(/\s*›\s*/g, ' ')).toMatch(
      /Error: Couldn't find the stack heroku-99: drydock has heroku-22, heroku-24\.\s+Error ID: invalid_params/,
    );
    const refused = await t
      .http()
      .patch('/apps/cli-fresh')
      .set(bearer(token))
      .send({ build_stack: 'heroku-99' })
      .expect(422);
    expect(refused.body.id).toBe('invalid_params');
    const app = await t.http().get('/apps/cli-fresh').set(bearer(token)).expect(200);
    expect(app.body.build_stack.name).toBe('heroku-22');
  });

  describe('with a dyno manager', () => {
    let manager: DynoManagerProcess;
    let managerDir: string;

    beforeAll(async () => {
      managerDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-cli-info-dm-'));
      manager = startDynoManager({
        CONTROL_PLANE_URL: `http://127.0.0.1:${port}`,
        DYNO_MANAGER_TOKEN: await t.mintToken(['dyno-manager']),
        DYNO_MANAGER_DIR: managerDir,
        DYNO_MANAGER_NAME: 'cli-info-host',
        DYNO_MANAGER_RENDEZVOUS_PORT: '0',
        DYNO_MANAGER_STOP_TIMEOUT_SECONDS: '3',
      });
    });
    afterAll(async () => {
      await manager?.stop('SIGTERM');
      if (managerDir) await rm(managerDir, { recursive: true, force: true });
    }, 30_000);

    it('run:detached points at `heroku logs --dyno run.N`, which shows that dyno’s lines', async () => {
      await cli.run('apps:create', 'cli-detached');
      const run = await cli.run(
        'run:detached',
        'echo "detached says hi on $DYNO"',
        '-a',
        'cli-detached',
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        'Run heroku logs --app cli-detached --dyno run.1 to view the output.\n\n',
      );
      const logs = await eventually(
        async () => {
          const result = await cli.run('logs', '--app', 'cli-detached', '--dyno', 'run.1');
          expect(result.stdout).toContain('app[run.1]: detached says hi on run.1');
          return result;
        },
        30_000,
        500,
      );
      expect(logs.code).toBe(0);
      const lines = logs.stdout.trim().split('\n');
      // Only run.1's lines: Heroku's start line about it and what it printed.
      expect(lines.every((line) => / (app|heroku)\[run\.1\]: /.test(line))).toBe(true);
      expect(lines).toContainEqual(
        expect.stringMatching(
          / heroku\[run\.1\]: Starting process with command `echo "detached says hi on \$DYNO"`/,
        ),
      );
    }, 60_000);
  });
});
