import { HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { startTestApp, TestApp } from '../support/test-app.js';

/** The real Heroku CLI against a listening drydock: accounts, apps and spaces. */
describe('Heroku CLI: apps', () => {
  let t: TestApp;
  let cli: HerokuCli;
  let user: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    const port = await t.listen();
    user = await t.createUser('cli-user@example.com');
    cli = await herokuCli(port, user.token);
  }, 60_000);
  afterAll(() => t.close());

  it('auth:whoami prints the account email', async () => {
    const result = await cli.run('auth:whoami');
    expect(result).toMatchObject({ code: 0, stdout: 'cli-user@example.com\n' });
  });

  it('apps:create creates the app and prints its URLs', async () => {
    const result = await cli.run('apps:create', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Creating myapp... done');
    expect(result.stdout).toMatch(
      /^https:\/\/myapp\.localhost\/ \| https:\/\/127\.0\.0\.1:\d+\/myapp\.git\n$/,
    );
    expect(await t.prisma.app.count({ where: { name: 'myapp', ownerId: user.id } })).toBe(1);
  });

  it('apps:create without a name generates one', async () => {
    const result = await cli.run('apps:create');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Creating app\.\.\. done, [a-z]+-[a-z]+-\d{5}/);
  });

  it('apps lists the apps under the account', async () => {
    const result = await cli.run('apps');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('=== cli-user@example.com Apps');
    expect(result.stdout).toMatch(/^myapp$/m);
  });

  it('apps:info shows the app', async () => {
    const result = await cli.run('apps:info', '-a', 'myapp');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('=== myapp');
    expect(result.stdout).toMatch(/Owner:\s+cli-user@example\.com/);
    expect(result.stdout).toMatch(/Region:\s+us/);
    expect(result.stdout).toMatch(/Stack:\s+heroku-24/);
    expect(result.stdout).toMatch(/Web URL:\s+https:\/\/myapp\.localhost\//);
  });

  it('apps:create of a taken name prints the API error', async () => {
    const result = await cli.run('apps:create', 'myapp');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Name myapp is already taken');
    expect(result.stderr).toContain('Error ID: invalid_params');
  });

  it('apps:info of a missing app prints not_found', async () => {
    const result = await cli.run('apps:info', '-a', 'no-such-app');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Couldn't find that app.");
  });

  it('spaces:create, spaces and apps:create --space work together', async () => {
    const created = await cli.run('spaces:create', 'nasa', '--team', 'ignored');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('=== nasa');
    const list = await cli.run('spaces');
    expect(list.stdout).toMatch(/nasa\s+cli-user@example\.com\s+us\s+allocated/);
    const app = await cli.run('apps:create', 'rocket', '--space', 'nasa');
    expect(app.code).toBe(0);
    expect(app.stderr).toContain('Creating rocket in space nasa... done');
    const info = await cli.run('apps:info', '-a', 'rocket');
    expect(info.stdout).toMatch(/Space:\s+nasa/);
    const inSpace = await cli.run('apps', '--space', 'nasa');
    expect(inSpace.stdout).toContain('=== Apps in space nasa');
    expect(inSpace.stdout).toMatch(/^rocket$/m);
  });

  it('apps:rename and apps:destroy', async () => {
    expect((await cli.run('apps:create', 'to-rename')).code).toBe(0);
    const renamed = await cli.run('apps:rename', 'renamed-app', '-a', 'to-rename');
    expect(renamed.stderr).toContain('Renaming to-rename to renamed-app... done');
    const destroyed = await cli.run(
      'apps:destroy',
      '-a',
      'renamed-app',
      '--confirm',
      'renamed-app',
    );
    expect(destroyed.stderr).toContain('Destroying renamed-app (including all add-ons)... done');
    expect(
      await t.prisma.app.count({ where: { name: { in: ['to-rename', 'renamed-app'] } } }),
    ).toBe(0);
  });
});
