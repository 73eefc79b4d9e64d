import { CliResult, HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { startTestApp, TestApp } from '../support/test-app.js';

/** The CLI's error box as one line: its `›` gutters and wrapping removed. */
const errorText = (result: CliResult) =>
  result.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ');

/** The real Heroku CLI against a listening drydock: collaborators of a personal app. */
describe('Heroku CLI: access', () => {
  let t: TestApp;
  let owner: HerokuCli;
  let collaborator: HerokuCli;

  beforeAll(async () => {
    t = await startTestApp();
    const port = await t.listen();
    owner = await herokuCli(port, (await t.createUser('owner@example.com')).token);
    collaborator = await herokuCli(port, (await t.createUser('collab@example.com')).token);
    expect((await owner.run('apps:create', 'shared')).code).toBe(0);
    expect((await collaborator.run('apps:create', 'mine')).code).toBe(0);
  }, 60_000);
  afterAll(() => t.close());

  it('access:add adds the collaborator, and access lists them beside the owner', async () => {
    const added = await owner.run('access:add', 'collab@example.com', '-a', 'shared');
    expect(added).toMatchObject({ code: 0, stdout: '' });
    expect(added.stderr).toContain('Adding collab@example.com access to the app shared... done');
    expect(await t.prisma.collaborator.count({ where: { app: { name: 'shared' } } })).toBe(1);

    const listed = await owner.run('access', '-a', 'shared');
    expect(listed.code).toBe(0);
    const rows = listed.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/))
      .filter((cells) => cells.length === 3);
    expect(rows).toEqual([
      ['email', 'role', 'permissions'],
      ['collab@example.com', 'collaborator', 'deploy, operate, view'],
      ['owner@example.com', 'owner', 'deploy, manage, operate, view'],
    ]);
  });

  it('apps:info lists the collaborators but not the owner', async () => {
    const info = await owner.run('apps:info', '-a', 'shared');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^Collaborators:\s+collab@example\.com$/m);
    expect(info.stdout).toMatch(/^Owner:\s+owner@example\.com$/m);
    const shell = await collaborator.run('apps:info', '-a', 'shared', '--shell');
    expect(shell.stdout).toMatch(/^collaborators=collab@example\.com$/m);
  });

  it('apps shows the app to the collaborator under Collaborated Apps, with its owner', async () => {
    const apps = await collaborator.run('apps');
    expect(apps.code).toBe(0);
    expect(apps.stdout).toMatch(/=== collab@example\.com Apps\n\nmine\n/);
    expect(apps.stdout).toContain('Collaborated Apps');
    expect(apps.stdout).toMatch(/^\s*shared\s+owner@example\.com$/m);
  });

  it('access:add answers the errors of unknown users, the owner and existing collaborators', async () => {
    const unknown = await owner.run('access:add', 'nobody@example.com', '-a', 'shared');
    expect(unknown.code).toBe(2);
    expect(errorText(unknown)).toContain("Error: Couldn't find that user. Error ID: not_found");
    const self = await owner.run('access:add', 'owner@example.com', '-a', 'shared');
    expect(errorText(self)).toContain(
      'Error: owner@example.com owns shared: the owner cannot also be a collaborator. Error ID: invalid_params',
    );
    const again = await owner.run('access:add', 'collab@example.com', '-a', 'shared');
    expect(errorText(again)).toContain(
      'Error: collab@example.com is already a collaborator on shared. Error ID: invalid_params',
    );
  });

  it('a collaborator switches maintenance but may not destroy, rename or share the app', async () => {
    const on = await collaborator.run('maintenance:on', '-a', 'shared');
    expect(on).toMatchObject({ code: 0 });
    expect(on.stderr).toContain('Enabling maintenance mode for shared... done');
    expect((await t.prisma.app.findUniqueOrThrow({ where: { name: 'shared' } })).maintenance).toBe(
      true,
    );
    const destroy = await collaborator.run('apps:destroy', '-a', 'shared', '--confirm', 'shared');
    expect(destroy.code).toBe(2);
    expect(errorText(destroy)).toContain(
      'Error: Only the owner of shared (owner@example.com) may delete it; collaborators may not. Error ID: forbidden',
    );
    const share = await collaborator.run('access:add', 'owner@example.com', '-a', 'shared');
    expect(errorText(share)).toContain(
      'may manage its collaborators; collaborators may not. Error ID: forbidden',
    );
    expect(await t.prisma.app.count({ where: { name: 'shared' } })).toBe(1);
  });

  it('access:remove removes the collaborator, and apps:leave lets one remove themselves', async () => {
    const removed = await owner.run('access:remove', 'collab@example.com', '-a', 'shared');
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain(
      'Removing collab@example.com access from the app shared... done',
    );
    const again = await owner.run('access:remove', 'collab@example.com', '-a', 'shared');
    expect(again.code).toBe(2);
    expect(errorText(again)).toContain("Couldn't find that collaborator. Error ID: not_found");
    const info = await collaborator.run('apps:info', '-a', 'shared');
    expect(errorText(info)).toContain('You do not have access to the app shared.');

    expect((await owner.run('access:add', 'collab@example.com', '-a', 'shared')).code).toBe(0);
    const left = await collaborator.run('apps:leave', '-a', 'shared');
    expect(left.code).toBe(0);
    expect(left.stderr).toContain('Leaving shared... done');
    const apps = await collaborator.run('apps');
    expect(apps.stdout).not.toContain('shared');
    expect(await t.prisma.collaborator.count()).toBe(0);
  });
});
