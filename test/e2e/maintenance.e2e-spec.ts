import { randomUUID } from 'node:crypto';
import { AppAccess } from '../../src/app-changes/app-access.service.js';
import type { Principal } from '../../src/common/auth/principal.js';
import { NotFoundError } from '../../src/common/errors/api-errors.js';
import { MaintenanceService } from '../../src/maintenance/maintenance.service.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

const ADMIN: Principal = {
  accountId: randomUUID(),
  email: 'admin@drydock.local',
  isAdmin: true,
  tokenId: randomUUID(),
  scopes: ['global'],
};

describe('maintenance mode', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('maint-owner@example.com');
    other = await t.createUser('maint-other@example.com');
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'maint-app', process_types: { web: 'npm start', worker: 'node worker.js' } })
      .expect(201);
    await t
      .http()
      .patch('/apps/maint-app/formation')
      .set(bearer(owner.token))
      .send({ updates: [{ type: 'worker', quantity: 2 }] })
      .expect(200);
    await t
      .http()
      .patch('/apps/maint-app/config-vars')
      .set(bearer(owner.token))
      .send({ SECRET: 'x' })
      .expect(200);
  });
  afterAll(() => t.close());

  const setMaintenance = (value: unknown, token = owner.token) =>
    t.http().patch('/apps/maint-app').set(bearer(token)).send({ maintenance: value });

  it('turns on with PATCH /apps/{app}, shows in GET, and records who changed what', async () => {
    const response = await setMaintenance(true).expect(200);
    expect(response.body.maintenance).toBe(true);
    const info = await t.http().get('/apps/maint-app').set(bearer(owner.token)).expect(200);
    expect(info.body.maintenance).toBe(true);
    const event = await t.prisma.event.findFirstOrThrow({
      where: { appName: 'maint-app', action: 'maintenance.enable' },
    });
    expect(event.actorId).toBe(owner.id);
    expect(event.data).toEqual({
      from: false,
      to: true,
      reason: null,
      source: 'api',
      ends_at: null,
    });
  });

  it('leaves the formation, dynos, config vars and releases untouched', async () => {
    await setMaintenance(false).expect(200);
    const snapshot = async () => ({
      formation: await t.prisma.formation.findMany({
        orderBy: { type: 'asc' },
        select: { type: true, quantity: true, size: true, updatedAt: true },
      }),
      dynos: await t.prisma.dyno.findMany({
        orderBy: { name: 'asc' },
        select: { name: true, state: true, updatedAt: true },
      }),
      configVars: await t.prisma.configVar.findMany({ select: { key: true, value: true } }),
      releases: await t.prisma.release.count(),
    });
    const before = await snapshot();
    await setMaintenance(true).expect(200);
    expect(await snapshot()).toEqual(before);
    expect(before.dynos.map((d) => d.name)).toEqual(['web.1', 'worker.1', 'worker.2']);
  });

  it('treats setting the same value again as a no-op that records nothing', async () => {
    await setMaintenance(true).expect(200);
    const before = await t.prisma.event.count();
    const response = await setMaintenance(true).expect(200);
    expect(response.body.maintenance).toBe(true);
    expect(await t.prisma.event.count()).toBe(before);
  });

  it('turns off again', async () => {
    const response = await setMaintenance(false).expect(200);
    expect(response.body.maintenance).toBe(false);
    const last = await t.prisma.event.findFirstOrThrow({
      where: { appName: 'maint-app' },
      orderBy: { version: 'desc' },
    });
    expect(last.action).toBe('maintenance.disable');
  });

  it('renames and switches maintenance in one atomic write', async () => {
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'blocker-name' })
      .expect(201);
    await t
      .http()
      .patch('/apps/maint-app')
      .set(bearer(owner.token))
      .send({ name: 'blocker-name', maintenance: true })
      .expect(422);
    const unchanged = await t.http().get('/apps/maint-app').set(bearer(owner.token)).expect(200);
    expect(unchanged.body.maintenance).toBe(false);
  });

  it('records nothing for an app deleted before the switch, and says it is gone', async () => {
    const maintenance = t.app.get(MaintenanceService);
    const found = await t.app.get(AppAccess).find(ADMIN, 'maint-app');
    const gone = { ...found, id: randomUUID(), name: 'gone-app' };
    await expect(
      maintenance.switchApp(gone, ADMIN.accountId, { enabled: true }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.prisma.event.count({ where: { appId: gone.id } })).toBe(0);
  });

  it('refuses non-boolean values with 422 and changes nothing', async () => {
    for (const value of ['on', 1, null, 'true']) {
      const response = await setMaintenance(value).expect(422);
      expect(response.body.id).toBe('invalid_params');
    }
    expect(
      (await t.prisma.app.findUniqueOrThrow({ where: { name: 'maint-app' } })).maintenance,
    ).toBe(false);
  });

  it("refuses someone else's app with 403 and an unknown app with 404", async () => {
    await setMaintenance(true, other.token).expect(403);
    await t
      .http()
      .patch('/apps/nope-app')
      .set(bearer(owner.token))
      .send({ maintenance: true })
      .expect(404);
    expect(
      (await t.prisma.app.findUniqueOrThrow({ where: { name: 'maint-app' } })).maintenance,
    ).toBe(false);
  });
});
