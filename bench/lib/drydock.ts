import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext } from './context.js';
import { apiCall, rawRequest } from './http.js';
import { Child, freePort, spawnNode, waitUntil } from './processes.js';
import { API_MAIN, DIST_DIR, RESULTS_DIR, ROUTER_MAIN } from './settings.js';

const DYNO_MANAGER_MAIN = path.join(DIST_DIR, 'dyno-manager', 'main.js');

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  child: Child;
}

/** `--cpu-prof` into bench/results/profiles when BENCH_CPU_PROF=1 (written at a clean exit). */
function profileArgs(ctx: BenchContext, name: string): string[] {
  if (!ctx.settings.cpuProfile) return [];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${path.join(RESULTS_DIR, 'profiles')}`,
    `--cpu-prof-name=${ctx.name}-${name}-${Date.now()}.cpuprofile`,
  ];
}

/**
 * The production build, `node dist/main.js`, on `databaseUrl`, as an admin would run it.
 * Resolves once /readyz answers 200 (the routing view is loaded before the server listens).
 */
export async function startApi(
  ctx: BenchContext,
  databaseUrl: string,
  name = 'api',
): Promise<ServiceProcess> {
  const port = await freePort();
  const dataDir = path.join(ctx.tmpDir, `${ctx.name}-${name}-data`);
  await mkdir(dataDir, { recursive: true });
  const child = spawnNode(name, API_MAIN, {
    logDir: ctx.logDir,
    nodeArgs: profileArgs(ctx, name),
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      DRYDOCK_ADMIN_TOKEN: ctx.settings.adminToken,
      DRYDOCK_ENCRYPTION_KEY: ctx.settings.encryptionKey,
      LOG_LEVEL: ctx.settings.logLevel,
      APPS_DOMAIN: 'localhost',
      // The limiters run on every request, as in production; budgets the load cannot spend.
      RATE_LIMIT_REQUESTS_PER_HOUR: '1000000000',
      RATE_LIMIT_MACHINE_REQUESTS_PER_SECOND: '100000000',
      WATCH_STREAMS_PER_TOKEN: '1000',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    `${name} to be ready`,
    async () => (await rawRequest(`${url}/readyz`)).status === 200,
    { timeoutMs: 240_000, intervalMs: 200, child },
  );
  return { name, url, port, child };
}

/** A token with the `routing` scope, minted by the admin as an operator would. */
export async function createRouterToken(ctx: BenchContext, api: ServiceProcess): Promise<string> {
  const created = await apiCall<{ access_token: { token: string } }>(
    api.url,
    ctx.settings.adminToken,
    'POST',
    '/oauth/authorizations',
    { scope: ['routing'], description: 'benchmark router' },
  );
  return created.access_token.token;
}

/**
 * The reference router, `node dist/router/main.js`, following `api`. Resolves once a
 * request for `probeHost` gets `probeStatus` (the router listens after its first snapshot).
 */
export async function startRouter(
  ctx: BenchContext,
  api: ServiceProcess,
  token: string,
  probe: { host: string; status: number },
  name = 'router',
  extraEnv: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawnNode(name, ROUTER_MAIN, {
    logDir: ctx.logDir,
    nodeArgs: profileArgs(ctx, name),
    env: {
      NODE_ENV: 'production',
      ROUTER_PORT: String(port),
      ROUTER_HOST: '127.0.0.1',
      CONTROL_PLANE_URL: api.url,
      ROUTER_TOKEN: token,
      APPS_DOMAIN: 'localhost',
      ...extraEnv,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    `${name} to answer ${probe.status} for ${probe.host}`,
    async () =>
      (await rawRequest(`${url}/`, { headers: { Host: probe.host } })).status === probe.status,
    { timeoutMs: 240_000, intervalMs: 200, child },
  );
  return { name, url, port, child };
}

/** A helper server of the harness (baseline, upstream): resolves once `probePath` answers. */
export async function startHelper(
  ctx: BenchContext,
  name: string,
  script: string,
  args: string[],
  port: number,
  probe: { path?: string; headers?: Record<string, string>; status: number },
): Promise<ServiceProcess> {
  const child = spawnNode(name, script, {
    logDir: ctx.logDir,
    nodeArgs: profileArgs(ctx, name),
    args,
    env: { NODE_ENV: 'production', PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    `${name} to listen`,
    async () =>
      (await rawRequest(`${url}${probe.path ?? '/'}`, { headers: probe.headers })).status ===
      probe.status,
    { timeoutMs: 30_000, child },
  );
  return { name, url, port, child };
}

/** The processes whose CPU a load run measures. */
export function cpuOf(...services: ServiceProcess[]): { name: string; pid: number }[] {
  return services.map((service) => ({ name: service.name, pid: service.child.pid }));
}

/** The reference dyno manager, `node dist/dyno-manager/main.js`, following `api` with `token`. */
export async function startDynoManager(
  ctx: BenchContext,
  api: ServiceProcess,
  token: string,
  extraEnv: Record<string, string> = {},
): Promise<Child> {
  const managerDir = path.join(ctx.tmpDir, 'dyno-manager');
  await mkdir(managerDir, { recursive: true });
  return spawnNode('dyno-manager', DYNO_MANAGER_MAIN, {
    logDir: ctx.logDir,
    env: {
      NODE_ENV: 'production',
      CONTROL_PLANE_URL: api.url,
      DYNO_MANAGER_TOKEN: token,
      DYNO_MANAGER_DIR: managerDir,
      DYNO_MANAGER_RENDEZVOUS_PORT: '0',
      ...extraEnv,
    },
  });
}
