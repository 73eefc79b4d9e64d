import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** Many writers on one app at once: nothing lost, release versions unique and gap-free. */
describe('concurrent writers on one app', () => {
  let t: TestApp;
  let owner: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('race@example.com');
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'race-app', process_types: { web: 'npm start', worker: 'w' } })
      .expect(201);
  });
  afterAll(() => t.close());

  it('loses no update across parallel config, scale and maintenance requests', async () => {
    const CONFIG_WRITERS = 24;
    const SCALERS = 16;
    const TOGGLES = 12;
    const requests = [
      ...Array.from({ length: CONFIG_WRITERS }, (_, i) =>
        t
          .http()
          .patch('/apps/race-app/config-vars')
          .set(bearer(owner.token))
          .send({ [`KEY_${i}`]: `value-${i}` }),
      ),
      ...Array.from({ length: SCALERS }, () =>
        t
          .http()
          .patch('/apps/race-app/formation')
          .set(bearer(owner.token))
          .send({ updates: [{ type: 'worker', quantity: '+1' }] }),
      ),
      ...Array.from({ length: TOGGLES }, (_, i) =>
        t
          .http()
          .patch('/apps/race-app')
          .set(bearer(owner.token))
          .send({ maintenance: i % 2 === 0 }),
      ),
    ];
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));

    const vars = await t
      .http()
      .get('/apps/race-app/config-vars')
      .set(bearer(owner.token))
      .expect(200);
    expect(Object.keys(vars.body)).toHaveLength(CONFIG_WRITERS);

    const releases = await t.prisma.release.findMany({
      where: { app: { name: 'race-app' } },
      orderBy: { version: 'asc' },
    });
    expect(releases.map((r) => r.version)).toEqual(
      Array.from({ length: 1 + CONFIG_WRITERS }, (_, i) => i + 1),
    );
    // Each release's snapshot holds exactly the vars set so far: one more each time.
    const latest = await t
      .http()
      .get(`/apps/race-app/releases/${releases.length}/config-vars`)
      .set(bearer(owner.token))
      .expect(200);
    expect(Object.keys(latest.body)).toHaveLength(CONFIG_WRITERS);

    const worker = await t.prisma.formation.findFirstOrThrow({
      where: { app: { name: 'race-app' }, type: 'worker' },
    });
    expect(worker.quantity).toBe(SCALERS);
    expect(
      await t.prisma.dyno.count({ where: { app: { name: 'race-app' }, type: 'worker' } }),
    ).toBe(SCALERS);

    // Every toggle that changed the flag is in the log, alternating, ending on the stored value.
    const toggles = await t.prisma.event.findMany({
      where: { appName: 'race-app', action: { startsWith: 'maintenance.' } },
      orderBy: { version: 'asc' },
    });
    for (let i = 1; i < toggles.length; i++)
      expect(toggles[i].action).not.toBe(toggles[i - 1].action);
    const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'race-app' } });
    expect(toggles.at(-1)?.action).toBe(
      app.maintenance ? 'maintenance.enable' : 'maintenance.disable',
    );
  });
});
