import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { WINDOW_END_TASK, WINDOW_START_TASK } from '../../src/maintenance-windows/window-tasks.js';
import { callApi, childPids, DrydockProcess, startDrydock } from '../support/drydock-process.js';
import { eventually } from '../support/eventually.js';
import {
  ADMIN_TOKEN,
  bearer,
  startTestApp,
  TestApp,
  testDatabaseUrl,
} from '../support/test-app.js';

interface Window {
  id: string;
  starts_at: string;
  ends_at: string;
  state: string;
}
interface HistoryEntry {
  action: string;
  enabled: boolean;
  source: string;
  reason: string | null;
}

/**
 * The database URL of a replica named `name`: every connection of that process (Prisma's,
 * the job engine's, its listeners) shows the name in pg_stat_activity, so a backend that
 * waits on a lock tells which process to kill.
 */
function replicaDatabaseUrl(name: string): string {
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('application_name', name);
  return url.toString();
}

/** Connections holding a lock, ended by afterAll if a test failed before releasing them. */
const lockHolders = new Set<pg.Client>();

/** A connection of the test's own that holds the app's row lock until `release`. */
async function holdAppLock(appId: string) {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  lockHolders.add(client);
  await client.query('BEGIN');
  await client.query('SELECT id FROM apps WHERE id = $1 FOR UPDATE', [appId]);
  const {
    rows: [{ pid }],
  } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return {
    pid,
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
      lockHolders.delete(client);
    },
  };
}

/**
 * API replicas as real processes on the test database, and the windows' jobs among them.
 * Windows that came due while every replica was down move on the next boot. A replica dies
 * (SIGKILL) while its transaction of a window's start or end waits on the app's row lock
 * (held by the test): graphile-worker keeps that job locked for 4 hours, and the minute
 * sweep on a surviving replica does the transition, once.
 */
describe('maintenance windows when API replicas die', () => {
  let dataDir: string;
  let setup: TestApp | undefined;
  let db: pg.Client;
  let owner: { id: string; token: string };
  const appIds = new Map<string, string>();
  const replicas = new Map<DrydockProcess, string>();

  const startReplica = async (name: string) => {
    const replica = await startDrydock(dataDir, {
      DATABASE_URL: replicaDatabaseUrl(name),
      DRYDOCK_ADMIN_TOKEN: ADMIN_TOKEN,
      DRYDOCK_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    replicas.set(replica, name);
    return replica;
  };
  /** SIGKILL, its children first (once it is gone they belong to init and cannot be found). */
  const kill = async (replica: DrydockProcess) => {
    for (const pid of childPids(replica.process.pid!)) process.kill(pid, 'SIGKILL');
    await replica.stop('SIGKILL');
    replicas.delete(replica);
  };
  const call = async (replica: DrydockProcess, method: string, url: string, body?: unknown) => {
    const response = await callApi(replica.url, owner.token, method, url, body);
    expect(response.status).toBeLessThan(300);
    return response.body as unknown;
  };
  const closeSetup = async () => {
    await setup?.close();
    setup = undefined;
  };
  /** Plans a window on the in-process setup app (while it runs). */
  const planWindow = async (app: string, body: Record<string, unknown>) => {
    const response = await setup!
      .http()
      .post(`/apps/${app}/maintenance/windows`)
      .set(bearer(owner.token))
      .send(body)
      .expect(201);
    return response.body as Window;
  };

  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await db.query<T>(sql, params)).rows;
  /** True once the database's clock, which the job engine runs jobs by, has reached `at`. */
  const reached = async (at: string | number) =>
    (
      await query<{ reached: boolean }>('SELECT now() >= $1::timestamptz AS reached', [
        new Date(at).toISOString(),
      ])
    )[0].reached;
  const windowState = async (id: string) =>
    (await query<{ state: string }>('SELECT state FROM maintenance_windows WHERE id = $1', [id]))[0]
      .state;
  /** The window.state events of a window, in order. */
  const windowEvents = (id: string) =>
    query<{ from: string; to: string }>(
      `SELECT data->>'from' AS "from", data->>'to' AS "to" FROM events
       WHERE action = 'window.state' AND data->>'window_id' = $1 ORDER BY version`,
      [id],
    );
  const switchEvents = async (appId: string) =>
    (
      await query<{ action: string }>(
        `SELECT action FROM events
         WHERE app_id = $1 AND action IN ('maintenance.enable', 'maintenance.disable') ORDER BY version`,
        [appId],
      )
    ).map((row) => row.action);
  /** The replicas (by name) whose backends wait on the lock held by backend `holderPid`. */
  const waitingOn = async (holderPid: number) =>
    (
      await query<{ name: string }>(
        `SELECT application_name AS name FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'
           AND $1::int = ANY(pg_blocking_pids(pid))`,
        [holderPid],
      )
    ).map((row) => row.name);
  const jobLock = async (key: string) =>
    (
      await query<{ locked_by: string | null }>(
        'SELECT locked_by FROM graphile_worker.jobs WHERE key = $1',
        [key],
      )
    )[0]?.locked_by;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-windows-'));
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    setup = await startTestApp();
    owner = await setup.createUser('windows-death@example.com');
    for (const name of ['missed-start', 'missed-whole', 'killed-start', 'killed-end']) {
      const created = await setup
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name, process_types: { web: 'npm start' } })
        .expect(201);
      appIds.set(name, (created.body as { id: string }).id);
    }
  }, 60_000);

  afterAll(async () => {
    for (const client of lockHolders) await client.end().catch(() => undefined);
    for (const replica of replicas.keys()) await replica.stop('SIGKILL');
    await closeSetup();
    await db?.end();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('with every replica down when windows come due', () => {
    let replica: DrydockProcess;
    let missedStart: Window;
    let missedWhole: Window;

    beforeAll(async () => {
      const startsAt = Date.now() + 3000;
      missedStart = await planWindow('missed-start', {
        starts_at: new Date(startsAt).toISOString(),
        ends_at: new Date(startsAt + 3_600_000).toISOString(),
        reason: 'planned, then every replica went down',
      });
      missedWhole = await planWindow('missed-whole', {
        starts_at: new Date(startsAt).toISOString(),
        ends_at: new Date(startsAt + 1000).toISOString(),
      });
      // The last replica goes (gracefully): the windows' jobs stay behind in the database.
      await closeSetup();
      expect([await windowState(missedStart.id), await windowState(missedWhole.id)]).toEqual([
        'scheduled',
        'scheduled',
      ]);
      await eventually(async () => expect(await reached(missedWhole.ends_at)).toBe(true), 10_000);
      replica = await startReplica('drydock-after-outage');
    }, 60_000);

    afterAll(async () => {
      await replica?.stop();
      if (replica) replicas.delete(replica);
    });

    it('starts a window whose start passed, and whose end did not, within seconds of the next boot, once', async () => {
      // The start job's run_at is past: the first replica up runs it at once (the sweep would take up to a minute).
      await eventually(
        async () =>
          expect(await call(replica, 'GET', '/apps/missed-start/maintenance')).toMatchObject({
            enabled: true,
            reason: 'planned, then every replica went down',
            window: { id: missedStart.id },
            ends_at: missedStart.ends_at,
          }),
        10_000,
      );
      expect(
        await call(replica, 'GET', `/apps/missed-start/maintenance/windows/${missedStart.id}`),
      ).toMatchObject({ state: 'active' });
      const history = (await call(
        replica,
        'GET',
        '/apps/missed-start/maintenance/history',
      )) as HistoryEntry[];
      expect(history).toEqual([
        expect.objectContaining({
          action: 'maintenance.enable',
          enabled: true,
          source: 'window',
          reason: 'planned, then every replica went down',
        }),
      ]);
      expect(await windowEvents(missedStart.id)).toEqual([{ from: 'scheduled', to: 'active' }]);
      expect(await switchEvents(appIds.get('missed-start')!)).toEqual(['maintenance.enable']);
    });

    it('completes a window whose whole span passed without turning maintenance on', async () => {
      await eventually(
        async () => expect(await windowState(missedWhole.id)).toBe('completed'),
        10_000,
      );
      expect(await call(replica, 'GET', '/apps/missed-whole/maintenance')).toMatchObject({
        enabled: false,
        window: null,
        ends_at: null,
      });
      expect(await call(replica, 'GET', '/apps/missed-whole/maintenance/history')).toEqual([]);
      expect(await windowEvents(missedWhole.id)).toEqual([{ from: 'scheduled', to: 'completed' }]);
      expect(await switchEvents(appIds.get('missed-whole')!)).toEqual([]);
      expect(replica.output()).toContain(
        `window ${missedWhole.id}: its whole span passed before any replica could start it`,
      );
    });
  });

  it('starts one window and ends another exactly once when the replicas moving them are killed mid-transition', async () => {
    // Only these processes run jobs (the setup app is closed already unless this test runs alone).
    await closeSetup();
    const started = await Promise.all(
      ['drydock-replica-1', 'drydock-replica-2', 'drydock-replica-3'].map(startReplica),
    );
    // Both transitions come due at `at`, away from the minute's sweep, so that the backends
    // found waiting are the jobs' (the sweep then comes within the minute).
    let at = Math.ceil((Date.now() + 6000) / 1000) * 1000;
    const second = new Date(at).getUTCSeconds();
    const minute = at - (at % 60_000);
    if (second >= 55) at = minute + 62_000;
    else if (second < 2) at = minute + 2000;

    const planOn = async (app: string, body: Record<string, unknown>) =>
      (await call(started[0], 'POST', `/apps/${app}/maintenance/windows`, body)) as Window;
    const ending = await planOn('killed-end', {
      starts_at: new Date(Date.now() + 2000).toISOString(),
      ends_at: new Date(at).toISOString(),
      reason: 'ends while its replica dies',
    });
    const starting = await planOn('killed-start', {
      starts_at: new Date(at).toISOString(),
      ends_at: new Date(at + 3_600_000).toISOString(),
      reason: 'starts while its replica dies',
    });
    const startLock = await holdAppLock(appIds.get('killed-start')!);
    await eventually(async () => expect(await windowState(ending.id)).toBe('active'), 10_000);
    const endLock = await holdAppLock(appIds.get('killed-end')!);
    // Both locks are held across `at`: the transitions will wait on them.
    expect(await reached(at)).toBe(false);

    // The jobs' keys, as the transitions add them.
    const startKey = `${WINDOW_START_TASK}:${starting.id}`;
    const endKey = `${WINDOW_END_TASK}:${ending.id}`;
    const [victimNames, deadWorkers] = await eventually(
      async () => {
        const onStart = await waitingOn(startLock.pid);
        const onEnd = await waitingOn(endLock.pid);
        expect(onStart.length).toBeGreaterThan(0);
        expect(onEnd.length).toBeGreaterThan(0);
        // Taken by a worker: the waiting transactions are the jobs'.
        const workers = [await jobLock(startKey), await jobLock(endKey)];
        expect(workers).toEqual([expect.any(String), expect.any(String)]);
        return [new Set([...onStart, ...onEnd]), workers] as const;
      },
      at - Date.now() + 10_000,
    );
    const victims = started.filter((replica) => victimNames.has(replicas.get(replica)!));
    // Every waiting backend is one of these replicas'.
    expect(victims.map((replica) => replicas.get(replica))).toEqual(
      expect.arrayContaining([...victimNames]),
    );
    for (const victim of victims) await kill(victim);
    const survivors = started.filter((replica) => !victims.includes(replica));
    expect(survivors.length).toBeGreaterThan(0);
    await startLock.release();
    await endLock.release();

    // graphile-worker leaves the dead jobs locked; the minute sweep of a survivor moves both.
    await eventually(
      async () =>
        expect([await windowState(starting.id), await windowState(ending.id)]).toEqual([
          'active',
          'completed',
        ]),
      90_000,
      250,
    );
    expect([await jobLock(startKey), await jobLock(endKey)]).toEqual(deadWorkers);
    const survivorOutput = survivors.map((replica) => replica.output()).join('\n');
    expect(survivorOutput).toContain(`window ${starting.id}: start caught up by the sweep`);
    expect(survivorOutput).toContain(`window ${ending.id}: end caught up by the sweep`);

    const survivor = survivors[0];
    expect(await call(survivor, 'GET', '/apps/killed-start/maintenance')).toMatchObject({
      enabled: true,
      reason: 'starts while its replica dies',
      window: { id: starting.id },
      ends_at: starting.ends_at,
    });
    expect(await call(survivor, 'GET', '/apps/killed-start/maintenance/history')).toEqual([
      expect.objectContaining({ action: 'maintenance.enable', source: 'window', enabled: true }),
    ]);
    expect(await windowEvents(starting.id)).toEqual([{ from: 'scheduled', to: 'active' }]);
    expect(await switchEvents(appIds.get('killed-start')!)).toEqual(['maintenance.enable']);

    expect(await call(survivor, 'GET', '/apps/killed-end/maintenance')).toMatchObject({
      enabled: false,
      window: null,
    });
    const endHistory = (await call(
      survivor,
      'GET',
      '/apps/killed-end/maintenance/history',
    )) as HistoryEntry[];
    expect(endHistory.filter((entry) => entry.action === 'maintenance.disable')).toEqual([
      expect.objectContaining({ source: 'window', enabled: false }),
    ]);
    expect(endHistory.map((entry) => entry.action)).toEqual([
      'maintenance.disable',
      'maintenance.enable',
    ]);
    expect(await windowEvents(ending.id)).toEqual([
      { from: 'scheduled', to: 'active' },
      { from: 'active', to: 'completed' },
    ]);
    expect(await switchEvents(appIds.get('killed-end')!)).toEqual([
      'maintenance.enable',
      'maintenance.disable',
    ]);
  }, 180_000);
});
