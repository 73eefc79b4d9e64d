import pg from 'pg';
import { LogRetention } from '../../src/logs/log-retention.service.js';
import { LogRepository } from '../../src/store/log.repository.js';
import {
  bearer,
  ADMIN_TOKEN,
  startTestApp,
  testDatabaseUrl,
  TestApp,
} from '../support/test-app.js';

/** Log retention on the job engine: the hourly job is scheduled, and it prunes by age. */
describe('LogRetention', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOG_RETENTION_HOURS: '24' });
  });
  afterAll(() => t.close());

  it('schedules pruning (log lines, events) and the drain and maintenance sweeps on the job engine every replica shares', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ identifier: string }>(
        'SELECT identifier FROM graphile_worker._private_known_crontabs ORDER BY identifier',
      );
      expect(rows.map((row) => row.identifier)).toEqual([
        'prune_events',
        'prune_log_lines',
        'sweep_log_drains',
        'sweep_maintenance_windows',
        'sweep_overdue_maintenance',
      ]);
    } finally {
      await client.end();
    }
  });

  it('deletes the lines older than LOG_RETENTION_HOURS, in batches, and keeps the rest', async () => {
    const app = await t
      .http()
      .post('/apps')
      .set(bearer(ADMIN_TOKEN))
      .send({ name: 'retained' })
      .expect(201);
    const now = new Date('2026-12-10T12:00:00Z');
    const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);
    const old = Array.from({ length: 12_000 }, (_, i) => ({
      appId: app.body.id,
      loggedAt: hoursAgo(48),
      source: 'app',
      dyno: 'web.1',
      message: `old ${i}`,
    }));
    // Appends trim each app to its newest 1,500 lines: write old lines to several apps.
    const apps = [app.body.id];
    for (let i = 0; i < 7; i++) {
      const more = await t
        .http()
        .post('/apps')
        .set(bearer(ADMIN_TOKEN))
        .send({ name: `retained-${i}` })
        .expect(201);
      apps.push(more.body.id);
    }
    const logs = t.app.get(LogRepository);
    await logs.append(old.map((line, i) => ({ ...line, appId: apps[i % apps.length] })));
    await logs.append([
      {
        appId: app.body.id,
        loggedAt: hoursAgo(1),
        source: 'app',
        dyno: 'web.1',
        message: 'recent',
      },
    ]);
    const before = await t.prisma.logLine.count({ where: { loggedAt: { lt: hoursAgo(24) } } });
    expect(before).toBeGreaterThan(5000);

    const pruned = await t.app.get(LogRetention).prune(now);
    expect(pruned).toBe(before);
    expect(await t.prisma.logLine.count({ where: { loggedAt: { lt: hoursAgo(24) } } })).toBe(0);
    const kept = await t.prisma.logLine.findMany({
      where: { appId: app.body.id, message: 'recent' },
    });
    expect(kept).toHaveLength(1);
  });
});
