import { AppAccess } from '../../src/app-changes/app-access.service.js';
import { AppChanges } from '../../src/app-changes/app-changes.service.js';
import type { Principal } from '../../src/common/auth/principal.js';
import { FormationsService } from '../../src/formations/formations.service.js';
import { MaintenanceService } from '../../src/maintenance/maintenance.service.js';
import { ReleasesService } from '../../src/releases/releases.service.js';
import { ConfigVarRepository } from '../../src/store/config-var.repository.js';
import { adminPrincipal } from '../support/principals.js';
import { startTestApp, TestApp } from '../support/test-app.js';

/**
 * The write path's rules, at the service level against the real PostgreSQL: what one
 * change to an app does besides its own writes (lock, release, restart, typed event), and
 * what it leaves behind when it fails.
 */
describe('the write path', () => {
  let t: TestApp;
  let changes: AppChanges;
  let admin: Principal;

  beforeAll(async () => {
    t = await startTestApp();
    changes = t.app.get(AppChanges);
    admin = await adminPrincipal(t);
  });
  afterAll(() => t.close());

  const create = (name: string, processTypes: Record<string, string>) =>
    changes.create(admin, { name, spaceName: null, region: 'us', stack: 'heroku-24' }, (change) =>
      t.app.get(FormationsService).declare(change, processTypes),
    );
  const snapshot = async (appId: string) => ({
    releases: await t.prisma.release.count({ where: { appId } }),
    events: await t.prisma.event.count({ where: { appId } }),
    dynos: await t.prisma.dyno.findMany({ where: { appId }, orderBy: { name: 'asc' } }),
    vars: await t.prisma.configVar.count({ where: { appId } }),
  });

  it('creates an app with v1 of what it declared, and its events, in one transaction', async () => {
    const app = await create('wp-create', { web: 'npm start', worker: 'node w.js' });
    const v1 = await t.prisma.release.findFirstOrThrow({ where: { appId: app.id } });
    expect(v1).toMatchObject({
      version: 1,
      description: 'Initial release',
      processTypes: { web: 'npm start', worker: 'node w.js' },
    });
    const actions = await t.prisma.event.findMany({
      where: { appId: app.id },
      orderBy: { version: 'asc' },
      select: { action: true },
    });
    expect(actions.map((e) => e.action)).toEqual([
      'app.create',
      'formation.declare',
      'release.create',
    ]);
    const dynos = await t.prisma.dyno.findMany({ where: { appId: app.id } });
    expect(dynos.map((d) => [d.name, d.releaseId])).toEqual([['web.1', v1.id]]);
  });

  it('cuts a release that restarts every formation dyno on it, leaving one-off dynos running', async () => {
    const app = await create('wp-release', { web: 'npm start' });
    await changes.apply(admin, 'wp-release', async (change) => {
      await change.tx.dyno.updateMany({ where: { appId: change.app.id }, data: { state: 'up' } });
    });
    await t.prisma.dyno.create({
      data: {
        appId: app.id,
        name: 'run.1',
        type: 'run',
        command: 'bash',
        size: 'Standard-1X',
        state: 'up',
      },
    });
    const cut = await changes.apply(admin, 'wp-release', (change) =>
      change.release({ description: 'Test release' }),
    );
    expect(cut.version).toBe(2);
    const dynos = await t.prisma.dyno.findMany({
      where: { appId: app.id },
      orderBy: { name: 'asc' },
    });
    expect(dynos.map((d) => [d.name, d.state, d.releaseId])).toEqual([
      ['run.1', 'up', null],
      ['web.1', 'starting', cut.id],
    ]);
    const event = await t.prisma.event.findFirstOrThrow({
      where: { appId: app.id, action: 'release.create' },
      orderBy: { version: 'desc' },
    });
    expect(event.data).toEqual({ version: 2, description: 'Test release', rollback_of: null });
  });

  it('leaves nothing behind when the change fails: no write, no release, no event', async () => {
    const app = await create('wp-fail', { web: 'npm start' });
    const before = await snapshot(app.id);
    await expect(
      changes.apply(admin, 'wp-fail', async (change) => {
        await t.app.get(ConfigVarRepository).write(change.tx, app.id, { A: 'x' }, []);
        await change.record('config.update', { set: ['A'], removed: [] });
        await change.release({ description: 'Set A config vars' });
        throw new Error('the change fails after all its writes');
      }),
    ).rejects.toThrow('the change fails after all its writes');
    expect(await snapshot(app.id)).toEqual(before);
  });

  it('serializes concurrent changes to one app on its lock: versions stay gap-free', async () => {
    await create('wp-race', { web: 'npm start' });
    const cuts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        changes.apply(admin, 'wp-race', (change) => change.release({ description: `race ${i}` })),
      ),
    );
    expect(cuts.map((cut) => cut.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 2),
    );
  });

  it('a rename names the app anew in the events recorded after it', async () => {
    await create('wp-old-name', { web: 'npm start' });
    await changes.apply(admin, 'wp-old-name', async (change) => {
      await change.tx.app.update({ where: { id: change.app.id }, data: { name: 'wp-new-name' } });
      change.app = { ...change.app, name: 'wp-new-name' };
      await change.release({ description: 'after the rename' });
    });
    const event = await t.prisma.event.findFirstOrThrow({
      where: {
        action: 'release.create',
        data: { path: ['description'], equals: 'after the rename' },
      },
    });
    expect(event.appName).toBe('wp-new-name');
  });

  it('replacing process types restarts the dynos of unchanged types on the new release', async () => {
    const app = await create('wp-procfile', { web: 'npm start' });
    await t.app
      .get(FormationsService)
      .replaceProcessTypes(admin, 'wp-procfile', { web: 'npm start', worker: 'node w.js' });
    const latest = await t.prisma.release.findFirstOrThrow({
      where: { appId: app.id },
      orderBy: { version: 'desc' },
    });
    expect(latest).toMatchObject({ version: 2, description: 'Deploy process types web, worker' });
    const web = await t.prisma.dyno.findFirstOrThrow({ where: { appId: app.id, name: 'web.1' } });
    expect(web.releaseId).toBe(latest.id);
  });

  it('rolls back to a release: its config vars and process types, a new version, every dyno on it', async () => {
    const app = await create('wp-rollback', { web: 'npm start' });
    const releases = t.app.get(ReleasesService);
    await changes.apply(admin, 'wp-rollback', async (change) => {
      await change.tx.configVar.deleteMany({ where: { appId: app.id } });
      await change.release({ description: 'nothing changed but the version' });
    });
    await t.app
      .get(FormationsService)
      .replaceProcessTypes(admin, 'wp-rollback', { web: 'npm run serve', clock: 'node clock.js' });
    const rolled = await releases.rollback(admin, 'wp-rollback', 'v1');
    expect(rolled).toMatchObject({ version: 4, description: 'Rollback to v1', current: true });
    expect(await t.app.get(FormationsService).processTypes(admin, 'wp-rollback')).toEqual({
      web: 'npm start',
    });
    const dynos = await t.prisma.dyno.findMany({ where: { appId: app.id } });
    expect(dynos.map((d) => [d.name, d.command, d.releaseId])).toEqual([
      ['web.1', 'npm start', rolled.id],
    ]);
    const release = await t.prisma.release.findFirstOrThrow({ where: { id: rolled.id } });
    expect(release.rollbackOf).toBe(1);
  });

  it('switches maintenance in one statement: one history entry, one typed event; a repeat records nothing', async () => {
    const app = await create('wp-maintenance', { web: 'npm start' });
    const maintenance = t.app.get(MaintenanceService);
    const found = await t.app.get(AppAccess).find(admin, 'wp-maintenance');
    const on = await maintenance.switchApp(found, admin.accountId, {
      enabled: true,
      reason: 'migrating',
    });
    expect(on).toMatchObject({ maintenance: true, maintenanceReason: 'migrating' });
    await maintenance.switchApp(on!, admin.accountId, { enabled: true, reason: 'again' });
    expect(await t.prisma.maintenanceChange.findMany({ where: { appId: app.id } })).toMatchObject([
      {
        enabled: true,
        previous: false,
        reason: 'migrating',
        source: 'api',
        actorId: admin.accountId,
      },
    ]);
    const events = await t.prisma.event.findMany({
      where: { appId: app.id, action: { startsWith: 'maintenance.' } },
    });
    expect(events.map((e) => e.data)).toEqual([
      { from: false, to: true, reason: 'migrating', source: 'api', ends_at: null },
    ]);
  });
});
