// scale: 100,000 apps. The time of a full routing snapshot, and the resident memory of the
// API and of the reference router once each has loaded them all.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, Row, Verdict } from './lib/context.js';
import { formatBytes } from './lib/compare.js';
import { createRouterToken, ServiceProcess, startApi, startRouter } from './lib/drydock.js';
import { rawRequest } from './lib/http.js';
import { memoryOf } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { routerBuilt } from './lib/settings.js';
import { ROUTER_NOT_BUILT } from './lib/skip.js';
import { round, summarize } from './lib/stats.js';

const APPS = 100_000;
const SNAPSHOTS = 3;
const MAX_SNAPSHOT_MS = 2000;
const MAX_RSS = 300 * 1024 * 1024;
const SETTLE_MS = 3000;

const benchmark: Benchmark = {
  name: 'scale',
  title: `${APPS.toLocaleString('en-US')} apps: snapshot time, API and router resident memory`,
  target: `snapshot < ${MAX_SNAPSHOT_MS / 1000} s; RSS < ${MAX_RSS / 1024 / 1024} MB each`,
  async run(ctx) {
    const database = await ctx.database();
    let started = performance.now();
    ctx.log(`  seeding ${APPS.toLocaleString('en-US')} apps`);
    await seedApps(database, {
      names: appNames('app-', APPS),
      dynos: 'up',
      encryptionKey: ctx.settings.encryptionKey,
    });
    const seedSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    const api = await startApi(ctx, database);
    const apiBootSeconds = (performance.now() - started) / 1000;
    const token = await createRouterToken(ctx, api);
    const apiLoaded = memoryOf(api.child.pid);

    // Time to the last byte of the snapshot, as a router taking it would see it.
    const times: number[] = [];
    let snapshotBytes = 0;
    for (let i = 0; i < SNAPSHOTS; i++) {
      const begin = performance.now();
      const response = await rawRequest(`${api.url}/routing/v1/snapshot`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      times.push(performance.now() - begin);
      if (response.status !== 200) throw new Error(`snapshot answered ${response.status}`);
      if (i === 0) {
        snapshotBytes = response.body.length;
        const apps = (JSON.parse(response.body.toString('utf8')) as { apps: unknown[] }).apps
          .length;
        if (apps !== APPS) throw new Error(`the snapshot has ${apps} apps, expected ${APPS}`);
      }
    }
    const snapshot = summarize(times);

    let routerProcess: ServiceProcess | undefined;
    let routerBootSeconds: number | undefined;
    if (routerBuilt()) {
      started = performance.now();
      routerProcess = await startRouter(ctx, api, token, {
        host: 'no-such-app.localhost',
        status: 404,
      });
      routerBootSeconds = (performance.now() - started) / 1000;
    }
    // Resident memory moves with the garbage collector: the highest of a few samples over
    // SETTLE_MS, once both processes hold every app, is the number judged.
    const samples = { api: [] as number[], router: [] as number[] };
    for (let waited = 0; waited <= SETTLE_MS; waited += SETTLE_MS / 10) {
      await sleep(SETTLE_MS / 10);
      samples.api.push(memoryOf(api.child.pid).rss);
      if (routerProcess) samples.router.push(memoryOf(routerProcess.child.pid).rss);
    }
    const apiMemory = { rss: Math.max(...samples.api), peak: memoryOf(api.child.pid).peak };
    const router = routerProcess
      ? { rss: Math.max(...samples.router), peak: memoryOf(routerProcess.child.pid).peak }
      : undefined;

    const snapshotPass = snapshot.max < MAX_SNAPSHOT_MS;
    const apiPass = apiMemory.rss < MAX_RSS;
    const routerVerdict: Verdict = router ? (router.rss < MAX_RSS ? 'PASS' : 'MISS') : 'SKIP';
    const verdicts: Verdict[] = [
      snapshotPass ? 'PASS' : 'MISS',
      apiPass ? 'PASS' : 'MISS',
      routerVerdict,
    ];
    const result: Verdict = verdicts.includes('MISS')
      ? 'MISS'
      : verdicts.includes('SKIP')
        ? 'SKIP'
        : 'PASS';
    const rssTarget = `RSS < ${MAX_RSS / 1024 / 1024} MB`;
    const rows: Row[] = [
      {
        subject: `snapshot, ${APPS.toLocaleString('en-US')} apps`,
        value: `${(snapshot.max / 1000).toFixed(2)} s (max of ${SNAPSHOTS}), ${formatBytes(snapshotBytes)}`,
        p50: snapshot.p50,
        p99: snapshot.max,
        target: `< ${MAX_SNAPSHOT_MS / 1000} s`,
        result: verdicts[0],
      },
      {
        subject: 'API RSS',
        value: `${formatBytes(apiMemory.rss)} (at boot ${formatBytes(apiLoaded.rss)}, peak ${formatBytes(apiMemory.peak)})`,
        target: rssTarget,
        result: verdicts[1],
      },
      {
        subject: 'router RSS',
        value: router
          ? `${formatBytes(router.rss)} (peak ${formatBytes(router.peak)})`
          : 'router not built',
        target: rssTarget,
        result: routerVerdict,
      },
    ];
    return {
      name: benchmark.name,
      title: benchmark.title,
      target: benchmark.target,
      result,
      rows,
      notes: router ? [] : [ROUTER_NOT_BUILT],
      details: {
        apps: APPS,
        seedSeconds: round(seedSeconds),
        apiBootSeconds: round(apiBootSeconds),
        routerBootSeconds: routerBootSeconds === undefined ? null : round(routerBootSeconds),
        snapshotMs: times.map((t) => round(t)),
        snapshotBytes,
        apiMemoryAfterBoot: apiLoaded,
        apiMemory,
        routerMemory: router ?? null,
        rssSamples: samples,
      },
    };
  },
};

export default benchmark;
