// dyno-start: how long until dynos serve. From `ps:scale web=N` to N web dynos answering
// through the router, and from `config:set` to every one of them answering with the new
// value, for N = 1 and 10, against the baseline of spawning the same processes directly.
import { spawn, ChildProcess, execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Benchmark, Row, Verdict } from './lib/context.js';
import { createRouterToken, startApi, startDynoManager, startRouter } from './lib/drydock.js';
import { apiCall, rawRequest } from './lib/http.js';
import { freePort, waitUntil } from './lib/processes.js';
import { DIST_DIR, REPO_ROOT, routerBuilt } from './lib/settings.js';
import { ROUTER_NOT_BUILT, skipped } from './lib/skip.js';

const APP = 'dyno-start';
const HOST = `${APP}.localhost`;
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'hello');
const DEPLOY_MAIN = path.join(DIST_DIR, 'scripts', 'deploy.js');
const SIZES = [1, 10];
const SCALE_TARGET_MS = 2000;
const RELEASE_TARGET_MS = 5000;
const POLL_MS = 10;
const TIMEOUT_MS = 60_000;

const run = promisify(execFile);

/** Polls `check` every POLL_MS until it holds; the milliseconds since `since`. */
async function timeUntil(what: string, since: number, check: () => Promise<boolean>) {
  const deadline = since + TIMEOUT_MS;
  for (;;) {
    if (await check().catch(() => false)) return performance.now() - since;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The dyno names that answered `batch` requests through the router with `greeting`. */
async function answering(routerUrl: string, batch: number, greeting: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const responses = await Promise.all(
    Array.from({ length: batch }, () =>
      rawRequest(`${routerUrl}/`, { headers: { Host: HOST } }).catch(() => null),
    ),
  );
  for (const response of responses) {
    const match =
      response && /^Hello from (\S+): (.*)$/.exec(response.body.toString('utf8').trim());
    if (response?.status === 200 && match && match[2] === greeting) seen.add(match[1]);
  }
  return seen;
}

/** Spawns `n` example web processes directly and times until each answers. */
async function directStart(n: number): Promise<{ ms: number; children: ChildProcess[] }> {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const started = performance.now();
  const children = ports.map((port, i) =>
    spawn(process.execPath, [path.join(EXAMPLE, 'web.js')], {
      cwd: EXAMPLE,
      env: { PATH: process.env.PATH, PORT: String(port), DYNO: `web.${i + 1}`, GREETING: 'x' },
      stdio: 'ignore',
    }),
  );
  const ms = await timeUntil(`${n} direct processes`, started, async () => {
    const statuses = await Promise.all(
      ports.map((port) =>
        rawRequest(`http://127.0.0.1:${port}/`).then(
          (response) => response.status,
          () => 0,
        ),
      ),
    );
    return statuses.every((status) => status === 200);
  });
  return { ms, children };
}

async function stopDirect(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

const benchmark: Benchmark = {
  name: 'dyno-start',
  title: 'ps:scale web=N and config:set until every dyno serves through the router (N = 1, 10)',
  target: `scale <= ${SCALE_TARGET_MS / 1000} s; new release <= ${RELEASE_TARGET_MS / 1000} s`,
  async run(ctx) {
    if (!routerBuilt()) return skipped(benchmark, ROUTER_NOT_BUILT);
    const database = await ctx.database();
    const api = await startApi(ctx, database);
    const admin = ctx.settings.adminToken;
    const call = <T>(method: string, route: string, body?: unknown) =>
      apiCall<T>(api.url, admin, method, route, body);

    await call('POST', '/apps', { name: APP });
    await run(process.execPath, [DEPLOY_MAIN, EXAMPLE, '--app', APP], {
      env: { ...process.env, DRYDOCK_URL: api.url, HEROKU_API_KEY: admin },
    });
    await call('PATCH', `/apps/${APP}/formation`, {
      updates: [
        { type: 'web', quantity: 0 },
        { type: 'worker', quantity: 0 },
      ],
    });
    const routerToken = await createRouterToken(ctx, api);
    const router = await startRouter(ctx, api, routerToken, { host: HOST, status: 503 });

    const manager = await startDynoManager(ctx, api, admin);
    await waitUntil(
      'the dyno manager to register',
      async () => {
        const dynos = await call<{ name: string }[]>('GET', `/dyno-manager/v1/apps/${APP}/dynos`);
        return Array.isArray(dynos);
      },
      { child: manager },
    );

    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    let allPass = true;
    let release = 0;
    for (const n of SIZES) {
      // From nothing running: scale up, until n distinct dynos answer through the router.
      await call('PATCH', `/apps/${APP}/formation/web`, { quantity: 0 });
      await waitUntil(
        'web=0 to reach the router',
        async () => (await answering(router.url, 1, 'x')).size === 0,
      );
      const greeting = `scale-${n}`;
      await call('PATCH', `/apps/${APP}/config-vars`, { GREETING: greeting });
      let started = performance.now();
      await call('PATCH', `/apps/${APP}/formation/web`, { quantity: n });
      const scaleMs = await timeUntil(`web=${n} through the router`, started, async () => {
        return (await answering(router.url, n * 2, greeting)).size === n;
      });

      // A new release: every dyno restarts and answers with the new value.
      release += 1;
      const next = `release-${n}-${release}`;
      started = performance.now();
      await call('PATCH', `/apps/${APP}/config-vars`, { GREETING: next });
      const releaseMs = await timeUntil(`every dyno on the new release`, started, async () => {
        return (await answering(router.url, n * 2, next)).size === n;
      });

      const direct = await directStart(n);
      await stopDirect(direct.children);
      const restart = await directStart(n);
      await stopDirect(restart.children);

      const scalePass = scaleMs <= SCALE_TARGET_MS;
      const releasePass = releaseMs <= RELEASE_TARGET_MS;
      allPass &&= scalePass && releasePass;
      rows.push(
        {
          subject: `ps:scale web=${n} → serving`,
          value: `${(scaleMs / 1000).toFixed(2)} s (spawning directly: ${(direct.ms / 1000).toFixed(2)} s)`,
          ratio: direct.ms / scaleMs,
          target: `<= ${SCALE_TARGET_MS / 1000} s`,
          result: scalePass ? 'PASS' : 'MISS',
        },
        {
          subject: `config:set, ${n} dyno${n > 1 ? 's' : ''} → new release serving`,
          value: `${(releaseMs / 1000).toFixed(2)} s (respawning directly: ${(restart.ms / 1000).toFixed(2)} s)`,
          ratio: restart.ms / releaseMs,
          target: `<= ${RELEASE_TARGET_MS / 1000} s`,
          result: releasePass ? 'PASS' : 'MISS',
        },
      );
      details[`n${n}`] = { scaleMs, releaseMs, directMs: direct.ms, directRestartMs: restart.ms };
    }
    await call('PATCH', `/apps/${APP}/formation/web`, { quantity: 0 });
    await manager.stop(60_000);
    await router.child.stop();
    await api.child.stop();

    const result: Verdict = allPass ? 'PASS' : 'MISS';
    return {
      name: benchmark.name,
      title: benchmark.title,
      target: benchmark.target,
      result,
      rows,
      notes: [
        'The example app (examples/hello) deployed as a slug; each dyno start unpacks it into its own directory.',
        'Ratio: spawning the same processes directly (no API, no manager, no router) over the measured time.',
      ],
      details,
    };
  },
};

export default benchmark;
