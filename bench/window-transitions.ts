// window-transitions: 1,000 apps whose maintenance windows all start in the same second, on
// two API replicas sharing one database, so the start jobs spread over both job engines.
// The time from starts_at until the routing view (a watch stream on one replica) shows
// every app in maintenance, and the history: exactly one entry (source window) per window.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, Row } from './lib/context.js';
import { formatRate } from './lib/compare.js';
import { createRouterToken, type ServiceProcess, startApi } from './lib/drydock.js';
import { rawRequest } from './lib/http.js';
import { withClient } from './lib/postgres.js';
import { cpuSecondsOf } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { round, summarize } from './lib/stats.js';

const APPS = 1_000;
const MAX_ALL_IN_MS = 2000;
/** Windows planned at once while creating them (POST …/maintenance/windows). */
const CREATE_CONCURRENCY = 8;
/**
 * Apps whose windows (a day ahead) are planned first to time planning, so that starts_at
 * can be far enough ahead for all 1,000 to be planned before it, on a fast or slow machine.
 */
const PROBE_APPS = 50;
/** starts_at is ahead of the first POST by 1.5 × the estimated planning time, and at least this. */
const MIN_LEAD_MS = 5000;
/** Planning must end this long before starts_at, or the start would overlap the planning. */
const MIN_QUIET_MS = 2000;
/** pg_stat_activity is sampled this often between starts_at and the last app. */
const SAMPLE_MS = 50;
/** How long after starts_at to wait for the last app before giving up. */
const TIMEOUT_MS = 60_000;

/** Wall clock in milliseconds with sub-millisecond resolution; the API runs on this machine. */
const now = () => performance.timeOrigin + performance.now();

interface Watch {
  /** When each app was first seen in maintenance on the stream. */
  firstInMaintenance: Map<string, number>;
  events: number;
  /** Resolves once every app of `names` has been seen in maintenance. */
  all: Promise<void>;
  failure: Promise<never>;
  close(): void;
}

/**
 * GET /routing/v1/watch on `api` (Server-Sent Events), noting when each of `names` first
 * arrives with `routing.maintenance: true`. Resolves once the stream is open.
 */
function watchMaintenance(api: ServiceProcess, token: string, names: string[]): Promise<Watch> {
  const wanted = new Set(names);
  const firstInMaintenance = new Map<string, number>();
  let markAll!: () => void;
  let fail!: (error: Error) => void;
  const all = new Promise<void>((resolve) => (markAll = resolve));
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);
  const agent = new http.Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${api.url}/routing/v1/watch`,
      { agent, headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`watch on ${api.name} answered ${response.statusCode}`));
          response.resume();
          return;
        }
        const watch: Watch = {
          firstInMaintenance,
          events: 0,
          all,
          failure,
          close: () => {
            request.destroy();
            agent.destroy();
          },
        };
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          const receivedAt = now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = message.split('\n').find((line) => line.startsWith('data: '));
            if (!data) continue; // a heartbeat comment
            watch.events++;
            const event = JSON.parse(data.slice(6)) as {
              app_name: string | null;
              routing: { maintenance: boolean } | null;
            };
            const name = event.app_name;
            if (!name || !event.routing?.maintenance || !wanted.has(name)) continue;
            if (firstInMaintenance.has(name)) continue;
            firstInMaintenance.set(name, receivedAt);
            if (firstInMaintenance.size === wanted.size) markAll();
          }
        });
        response.on('end', () => fail(new Error(`the watch stream on ${api.name} ended`)));
        resolve(watch);
      },
    );
    request.on('error', (error) => {
      reject(error);
      fail(error);
    });
  });
}

/** Plans one window per app through the API, `CREATE_CONCURRENCY` at a time. */
async function planWindows(
  api: ServiceProcess,
  token: string,
  names: string[],
  window: { starts_at: string; ends_at: string; reason: string },
): Promise<{ seconds: number; failures: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CREATE_CONCURRENCY });
  const body = JSON.stringify(window);
  const failures: string[] = [];
  const one = (app: string) =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        `${api.url}/apps/${app}/maintenance/windows`,
        {
          method: 'POST',
          agent,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/vnd.heroku+json; version=3',
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(body)),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 201) {
              failures.push(
                `${app}: ${response.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`,
              );
            }
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < names.length) await one(names[next++]);
    }),
  );
  agent.destroy();
  return { seconds: (now() - started) / 1000, failures };
}

/** How many apps of `api`'s routing snapshot are in maintenance. */
async function inMaintenanceBySnapshot(api: ServiceProcess, token: string): Promise<number> {
  const response = await rawRequest(`${api.url}/routing/v1/snapshot`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (response.status !== 200) throw new Error(`snapshot on ${api.name}: ${response.status}`);
  const { apps } = JSON.parse(response.body.toString('utf8')) as {
    apps: { maintenance: boolean }[];
  };
  return apps.filter((app) => app.maintenance).length;
}

/** What a backend of the benchmark's database was doing in one sample. */
function backendClass(row: { state: string; wait: string | null }): string {
  if (row.wait === 'Lock:advisory') return 'waiting for the event-order lock';
  if (row.state.startsWith('idle in transaction')) return 'in a transaction, waiting for the API';
  if (row.wait === 'IO:WalSync') return 'flushing WAL (commit)';
  if (row.wait === 'Client:ClientRead') return 'reading a statement from the API';
  if (row.wait) return `waiting (${row.wait})`;
  return 'running';
}

/**
 * Samples pg_stat_activity every SAMPLE_MS until stopped: on average how many backends of
 * the database were in each class, and the statements seen most, so a slow run says where
 * its time went.
 */
function sampleBackends(databaseUrl: string) {
  const byClass = new Map<string, number>();
  const byStatement = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const done = withClient(databaseUrl, async (client) => {
    while (!stopped) {
      const { rows } = await client.query<{
        state: string;
        wait: string | null;
        statement: string;
      }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait,
                coalesce(nullif(application_name, ''), 'api') || ': ' ||
                  left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS statement
         FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
      );
      samples++;
      for (const row of rows) {
        const what = backendClass(row);
        byClass.set(what, (byClass.get(what) ?? 0) + 1);
        const key = `${what} | ${row.statement.trim()}`;
        byStatement.set(key, (byStatement.get(key) ?? 0) + 1);
      }
      await sleep(SAMPLE_MS);
    }
  });
  const average = (entries: Map<string, number>, top: number) =>
    Object.fromEntries(
      [...entries.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([key, count]) => [key, round(count / Math.max(1, samples))]),
    );
  return {
    async stop() {
      stopped = true;
      await done;
      return { samples, backends: average(byClass, 10), statements: average(byStatement, 15) };
    },
  };
}

const benchmark: Benchmark = {
  name: 'window-transitions',
  title: `${APPS.toLocaleString('en-US')} maintenance windows starting in the same second, 2 API replicas, until the routing view has them all`,
  target: `all in maintenance <= ${MAX_ALL_IN_MS / 1000} s after starts_at; exactly ${APPS.toLocaleString('en-US')} history entries`,
  async run(ctx) {
    const database = await ctx.database();
    const names = appNames('app-', APPS);
    const probes = appNames('probe-', PROBE_APPS);
    await seedApps(database, {
      names: [...names, ...probes],
      dynos: 'up',
      encryptionKey: ctx.settings.encryptionKey,
    });
    const [apiA, apiB] = await Promise.all([
      startApi(ctx, database, 'api-a'),
      startApi(ctx, database, 'api-b'),
    ]);
    const routerToken = await createRouterToken(ctx, apiA);
    const watch = await watchMaintenance(apiB, routerToken, names);

    // Planning's pace, on apps of their own with windows a day ahead (they stay scheduled).
    const tomorrow = Math.ceil((Date.now() + 86_400_000) / 1000) * 1000;
    const probed = await planWindows(apiA, ctx.settings.adminToken, probes, {
      starts_at: new Date(tomorrow).toISOString(),
      ends_at: new Date(tomorrow + 3600_000).toISOString(),
      reason: 'Benchmark probe',
    });
    if (probed.failures.length) {
      throw new Error(`probe windows were not planned: ${probed.failures.slice(0, 3).join('; ')}`);
    }
    const leadMs = Math.max(MIN_LEAD_MS, 1.5 * (probed.seconds / PROBE_APPS) * APPS * 1000);
    // A whole second, far enough ahead for every window to be planned before it.
    const startsAt = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
    const window = {
      starts_at: new Date(startsAt).toISOString(),
      ends_at: new Date(startsAt + 3600_000).toISOString(),
      reason: 'Benchmark window',
    };
    ctx.log(
      `  planning ${APPS} windows through ${apiA.name} (${CREATE_CONCURRENCY} in flight), all starting at ${window.starts_at}`,
    );
    const planned = await planWindows(apiA, ctx.settings.adminToken, names, window);
    if (planned.failures.length) {
      throw new Error(
        `${planned.failures.length} windows were not planned: ${planned.failures.slice(0, 3).join('; ')}`,
      );
    }
    const quietMs = startsAt - Date.now();
    if (quietMs < MIN_QUIET_MS) {
      throw new Error(
        `planning took ${planned.seconds.toFixed(1)} s, ending ${Math.round(quietMs)} ms before starts_at (the probe took ${probed.seconds.toFixed(2)} s for ${PROBE_APPS}): is the machine busy?`,
      );
    }
    ctx.log(
      `  planned in ${planned.seconds.toFixed(2)} s; waiting for starts_at and the routing view`,
    );

    // CPU from starts_at to the last app seen: what the transitions cost each process.
    await sleep(Math.max(0, startsAt - now()));
    const cpuAt = () => ({
      [apiA.name]: cpuSecondsOf(apiA.child.pid),
      [apiB.name]: cpuSecondsOf(apiB.child.pid),
      postgres: ctx.pg.cpuSeconds() ?? NaN,
    });
    const cpuBefore = cpuAt();
    const sampler = sampleBackends(database);
    const timeout = sleep(startsAt + TIMEOUT_MS - now()).then(() => 'timeout' as const);
    const outcome = await Promise.race([
      watch.all.then(() => 'all' as const),
      watch.failure,
      timeout,
    ]);
    const cpuAfter = cpuAt();
    const backends = await sampler.stop();
    watch.close();
    const seen = watch.firstInMaintenance.size;
    if (outcome === 'timeout' && seen === 0) {
      throw new Error(`no app went into maintenance within ${TIMEOUT_MS / 1000} s of starts_at`);
    }

    const lags = [...watch.firstInMaintenance.values()].map((at) => at - startsAt);
    const lag = summarize(lags);
    const allInMs = seen === APPS ? lag.max : NaN;
    const spanSeconds = (lag.max - lag.min) / 1000;
    const cpuSpent = Object.fromEntries(
      Object.keys(cpuBefore).map((name) => [name, round(cpuAfter[name] - cpuBefore[name])]),
    );

    // What the database says, once the view has every app: the history and the windows,
    // and when each transition's transaction began (the job engine picked the job up).
    const counts = await withClient(database, async (client) => {
      const history = await client.query<{ entries: string; apps: string }>(
        `SELECT count(*) AS entries, count(DISTINCT app_id) AS apps
         FROM maintenance_changes WHERE source = 'window'`,
      );
      const windows = await client.query<{ state: string; count: string }>(
        `SELECT state, count(*) FROM maintenance_windows GROUP BY state`,
      );
      const inMaintenance = await client.query<{ count: string }>(
        `SELECT count(*) FROM apps WHERE maintenance`,
      );
      const began = await client.query<{ lag_ms: number }>(
        `SELECT (extract(epoch FROM c.created_at) * 1000 - $1::float8)::float8 AS lag_ms
         FROM maintenance_changes c WHERE c.source = 'window'`,
        [startsAt],
      );
      return {
        historyEntries: Number(history.rows[0].entries),
        historyApps: Number(history.rows[0].apps),
        windows: Object.fromEntries(windows.rows.map((row) => [row.state, Number(row.count)])),
        appsInMaintenance: Number(inMaintenance.rows[0].count),
        transactionStartLag: summarize(began.rows.map((row) => row.lag_ms)),
      };
    });
    const snapshots = {
      [apiA.name]: await inMaintenanceBySnapshot(apiA, routerToken),
      [apiB.name]: await inMaintenanceBySnapshot(apiB, routerToken),
    };

    const activeWindows = counts.windows.active ?? 0;
    const timePass = seen === APPS && allInMs <= MAX_ALL_IN_MS;
    const historyPass =
      counts.historyEntries === APPS && counts.historyApps === APPS && activeWindows === APPS;
    const pass = timePass && historyPass;
    const notes: string[] = [];
    if (seen < APPS) {
      notes.push(
        `only ${seen} of ${APPS} apps reached maintenance on the stream within ${TIMEOUT_MS / 1000} s (${outcome})`,
      );
    }
    notes.push(
      `first app in maintenance ${Math.round(lag.min)} ms after starts_at, last ${Math.round(lag.max)} ms: ` +
        `${formatRate(spanSeconds > 0 ? (seen - 1) / spanSeconds : seen, 'transitions/s')} in between`,
      `transactions began (history created_at) p50 ${Math.round(counts.transactionStartLag.p50)} ms, ` +
        `max ${Math.round(counts.transactionStartLag.max)} ms after starts_at`,
      `CPU seconds from starts_at to the last app: ${Object.entries(cpuSpent)
        .map(([name, seconds]) => `${name} ${seconds}`)
        .join(', ')}`,
      `database backends on average from starts_at to the last app (${backends.samples} samples): ${Object.entries(
        backends.backends,
      )
        .filter(([, count]) => count >= 0.05)
        .map(([what, count]) => `${count} ${what}`)
        .join(', ')}`,
      `windows planned at ${formatRate(APPS / planned.seconds, 'windows/s')} (${CREATE_CONCURRENCY} in flight), ` +
        `${(quietMs / 1000).toFixed(1)} s before starts_at`,
    );
    if (Object.values(snapshots).some((count) => count !== APPS)) {
      notes.push(
        `routing snapshots afterwards: ${Object.entries(snapshots)
          .map(([name, count]) => `${name} ${count}`)
          .join(', ')} apps in maintenance`,
      );
    }
    const rows: Row[] = [
      {
        subject: `${APPS.toLocaleString('en-US')} windows → maintenance, ${apiB.name} view`,
        value:
          seen === APPS
            ? `${(allInMs / 1000).toFixed(2)} s after starts_at`
            : `${seen} of ${APPS} in ${TIMEOUT_MS / 1000} s`,
        p50: lag.p50,
        p99: lag.p99,
        target: `<= ${MAX_ALL_IN_MS / 1000} s`,
        result: timePass ? 'PASS' : 'MISS',
      },
      {
        subject: 'history entries, source window',
        value: `${counts.historyEntries.toLocaleString('en-US')} (${activeWindows.toLocaleString('en-US')} windows active)`,
        target: `exactly ${APPS.toLocaleString('en-US')}`,
        result: historyPass ? 'PASS' : 'MISS',
      },
    ];
    return {
      name: benchmark.name,
      title: benchmark.title,
      target: benchmark.target,
      result: pass ? 'PASS' : 'MISS',
      rows,
      notes,
      details: {
        apps: APPS,
        startsAt: window.starts_at,
        planSeconds: round(planned.seconds),
        probeSeconds: round(probed.seconds),
        leadMs: Math.round(leadMs),
        createConcurrency: CREATE_CONCURRENCY,
        quietMsBeforeStart: Math.round(quietMs),
        seen,
        allInMs: Number.isNaN(allInMs) ? null : round(allInMs),
        lagMs: lag,
        transitionsPerSecond: spanSeconds > 0 ? round((seen - 1) / spanSeconds) : null,
        streamEvents: watch.events,
        cpuSeconds: cpuSpent,
        ...counts,
        snapshotsInMaintenance: snapshots,
        backends,
        jobs: {
          concurrency: process.env.JOBS_CONCURRENCY ?? '4 (default)',
          pollIntervalMs: process.env.JOBS_POLL_INTERVAL_MS ?? '500 (default)',
        },
      },
    };
  },
};

export default benchmark;
