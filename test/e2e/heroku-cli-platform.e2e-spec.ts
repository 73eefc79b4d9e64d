import { hashToken } from '../../src/common/auth/tokens.js';
import { HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { captureLogs } from '../support/log-capture.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** The real Heroku CLI against a listening drydock: spaces, add-ons, regions, authorizations. */
describe('Heroku CLI: platform', () => {
  let t: TestApp;
  let port: number;
  let cli: HerokuCli;
  let user: { id: string; token: string };
  const logs = captureLogs('debug');

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'debug' }, { logger: logs.logger });
    port = await t.listen();
    user = await t.createUser('cli-platform@example.com');
    cli = await herokuCli(port, user.token);
  }, 60_000);
  afterAll(() => t.close());

  it('spaces:info shows the region by its description and no outbound IPs', async () => {
    const created = await cli.run(
      'spaces:create',
      '--space',
      'europa',
      '--team',
      'x',
      '--region',
      'eu',
    );
    expect(created.code).toBe(0);
    const info = await cli.run('spaces:info', '--space', 'europa');
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('=== europa');
    expect(info.stdout).toMatch(/^Region:\s+Europe$/m);
    expect(info.stdout).toMatch(/^Outbound IPs:\s+disabled$/m);
    expect(info.stdout).toMatch(/^State:\s+allocated$/m);
  });

  it('spaces:destroy destroys an empty space', async () => {
    const destroyed = await cli.run('spaces:destroy', '--space', 'europa', '--confirm', 'europa');
    expect(destroyed.code).toBe(0);
    expect(destroyed.stderr).toContain('Destroying space europa... done');
    expect(await t.prisma.space.count({ where: { name: 'europa' } })).toBe(0);
  });

  it('spaces:destroy refuses a space with apps and keeps it', async () => {
    expect((await cli.run('spaces:create', '--space', 'busy', '--team', 'x')).code).toBe(0);
    expect((await cli.run('apps:create', 'busy-app', '--space', 'busy')).code).toBe(0);
    const refused = await cli.run('spaces:destroy', '--space', 'busy', '--confirm', 'busy');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Destroying space busy... !');
    expect(refused.stderr).toContain(
      'Error: Space busy still has apps; delete or move them first.',
    );
    expect(refused.stderr).toContain('Error ID: invalid_params');
    expect(await t.prisma.space.count({ where: { name: 'busy' } })).toBe(1);
  });

  it('addons says there are none, for the account and for an app', async () => {
    const all = await cli.run('addons');
    expect(all).toMatchObject({ code: 0, stdout: 'No add-ons.\n' });
    const app = await cli.run('addons', '-a', 'busy-app');
    expect(app).toMatchObject({ code: 0, stdout: 'No add-ons for app busy-app.\n' });
  });

  it('regions lists the regions drydock accepts', async () => {
    const result = await cli.run('regions');
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').map((line) => line.trim());
    expect(rows[0]).toMatch(/^ID\s+Location\s+Runtime$/);
    expect(rows.slice(2, 4)).toEqual([
      expect.stringMatching(/^eu\s+Europe\s+Private Spaces$/),
      expect.stringMatching(/^us\s+United States\s+Private Spaces$/),
    ]);
    const json = await cli.run('regions', '--json');
    expect(JSON.parse(json.stdout).map((region: { name: string }) => region.name)).toEqual([
      'eu',
      'us',
    ]);
  });

  it('authorizations:update changes the description', async () => {
    const created = await cli.run('authorizations:create', '--description', 'before', '--json');
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout);
    const updated = await cli.run('authorizations:update', id, '--description', 'after');
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain('Updating OAuth Authorization... done');
    expect(updated.stdout).toMatch(new RegExp(`^ID:\\s+${id}$`, 'm'));
    expect(updated.stdout).toMatch(/^Description:\s+after$/m);
    // The secret itself is shown only when issued.
    expect(updated.stdout).toMatch(/^Token:\s+…\S{4}$/m);
    const stored = await t.prisma.apiToken.findUniqueOrThrow({ where: { id } });
    expect(stored.description).toBe('after');
  });

  it('authorizations:rotate prints a new token; the old one stops working and the new one works', async () => {
    const created = await cli.run('authorizations:create', '--description', 'rotated', '--json');
    const { id, access_token } = JSON.parse(created.stdout);
    const oldToken: string = access_token.token;
    await t.http().get('/account').set(bearer(oldToken)).expect(200);

    const rotated = await cli.run('authorizations:rotate', id);
    expect(rotated.code).toBe(0);
    expect(rotated.stderr).toContain('Rotating OAuth Authorization... done');
    expect(rotated.stdout).toMatch(new RegExp(`^ID:\\s+${id}$`, 'm'));
    expect(rotated.stdout).toMatch(/^Description:\s+rotated$/m);
    const newToken = /^Token:\s+(drydock_\S+)$/m.exec(rotated.stdout)?.[1];
    expect(newToken).toBeDefined();
    expect(newToken).not.toBe(oldToken);
    expect((await t.prisma.apiToken.findUniqueOrThrow({ where: { id } })).tokenHash).toBe(
      hashToken(newToken!),
    );

    const withOld = await herokuCli(port, oldToken);
    const refused = await withOld.run('auth:whoami');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Error: Invalid credentials provided.');
    expect(refused.stderr).toContain('Error ID: unauthorized');
    const withNew = await herokuCli(port, newToken!);
    expect(await withNew.run('auth:whoami')).toMatchObject({
      code: 0,
      stdout: 'cli-platform@example.com\n',
    });
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of [oldToken, newToken!]) {
      expect(logs.lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
