import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * `npm run platform`: the API (embedded PostgreSQL unless DATABASE_URL), the reference
 * router and the dyno manager together, for a newcomer's machine. Each is its own process,
 * as in production; their log lines come out prefixed with the component's name. One
 * Ctrl-C stops all three, the dyno manager first (it stops its dynos and reports them
 * down while the API still listens).
 */

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
env.PORT ||= '3000';
env.ROUTER_PORT ||= '8080';
env.DATA_DIR = path.resolve(env.DATA_DIR || '.data');
env.DYNO_MANAGER_DIR = path.resolve(
  env.DYNO_MANAGER_DIR || path.join(env.DATA_DIR, 'dyno-manager'),
);
const apiUrl = `http://127.0.0.1:${env.PORT}`;
env.CONTROL_PLANE_URL ||= apiUrl;
const appsDomain = env.APPS_DOMAIN || 'localhost';
// The components write to pipes this script reads: they log for the terminal it writes to.
env.LOG_FORMAT ||= process.stdout.isTTY ? 'pretty' : 'json';

/** Bounded: the first start of the embedded PostgreSQL takes a few seconds, not minutes. */
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 45_000;

interface Component {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const components: Component[] = [];
let stopping = false;

function start(name: string, script: string): Component {
  // Each in its own process group, so that a Ctrl-C reaches only this script, which stops
  // them in order; setpriv's parent-death signal stops them should this script be killed.
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'SIGTERM', '--', process.execPath, path.join(dist, script)],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${name.padEnd(12)} | ${line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(
          `${name} stopped on its own (${signal ?? `exit ${code}`}); stopping the platform.\n`,
        );
        void stopAll(1);
      }
      resolve(code);
    });
  });
  const component = { name, child, exited };
  components.push(component);
  return component;
}

/** Polls `ready` (a throw is a no) until it holds, while `component` runs; bounded. */
async function until(
  what: string,
  component: Component,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (component.child.exitCode !== null) {
      throw new Error(`${component.name} did not start; see its lines above`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${READY_TIMEOUT_MS / 1000} s waiting for ${what}`);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Reverse order: the dyno manager, then the router, then the API.
  for (const component of [...components].reverse()) {
    if (component.child.exitCode !== null || component.child.signalCode !== null) continue;
    component.child.kill('SIGTERM');
    const timer = setTimeout(() => component.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await component.exited;
    clearTimeout(timer);
  }
  process.exit(code);
}

function adminTokenHint(): string {
  if (env.DRYDOCK_ADMIN_TOKEN) return 'export HEROKU_API_KEY=$DRYDOCK_ADMIN_TOKEN';
  const file = path.join(env.DATA_DIR!, 'admin-token');
  return existsSync(file)
    ? `export HEROKU_API_KEY=$(cat ${file})`
    : `export HEROKU_API_KEY=<the admin token>`;
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const api = start('api', 'main.js');
  await until(`the API to answer ${apiUrl}/readyz`, api, async () => {
    const response = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  });
  const router = start('router', 'router/main.js');
  const manager = start('dyno-manager', 'dyno-manager/main.js');
  const caFile = path.join(env.DYNO_MANAGER_DIR!, 'rendezvous-ca.pem');
  // The banner once all three serve: the router answers, the manager wrote its CA.
  await until('the router to listen', router, async () => {
    await fetch(`http://127.0.0.1:${env.ROUTER_PORT}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  });
  await until('the dyno manager to start', manager, async () => existsSync(caFile));

  const token = env.DRYDOCK_ADMIN_TOKEN
    ? undefined
    : readIfExists(path.join(env.DATA_DIR!, 'admin-token'));
  process.stdout.write(
    [
      '',
      '  drydock is up:',
      `    API (Heroku Platform API)  ${apiUrl}   (Swagger UI: ${apiUrl}/docs)`,
      `    router                     http://127.0.0.1:${env.ROUTER_PORT}   (apps at http://<app>.${appsDomain}:${env.ROUTER_PORT})`,
      `    dyno manager               dynos under ${env.DYNO_MANAGER_DIR}`,
      ...(token ? [`    admin token                ${token}`] : []),
      '',
      '  In another terminal:',
      `    export HEROKU_HOST=${apiUrl} HEROKU_PARTICLEBOARD_URL=${apiUrl}`,
      `    ${adminTokenHint()}`,
      `    export NODE_EXTRA_CA_CERTS=${caFile}   # heroku run trusts the dyno manager`,
      '',
      '  Ctrl-C stops all three.',
      '',
    ].join('\n') + '\n',
  );
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

main().catch((error: unknown) => {
  process.stderr.write(`platform: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
