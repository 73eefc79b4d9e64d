import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { findFreePort } from '../../src/common/network/free-port.js';
import { parentOf } from '../../src/database/process-table.js';

export interface DrydockProcess {
  process: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `node dist/main.js` as `npm start` runs it (built by `npm test`), on the embedded
 * database under `dataDir` unless `env` says otherwise; resolves once /healthz answers.
 * On a free port, or on `env.PORT` (to come back where its clients expect it).
 */
export async function startDrydock(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<DrydockProcess> {
  const port = env.PORT ? Number(env.PORT) : await findFreePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  };
  delete childEnv.DATABASE_URL;
  delete childEnv.DRYDOCK_ADMIN_TOKEN;
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = await exited;
    return code as number | null;
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`drydock exited early:\n${output}`);
    const healthy = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { process: child, port, url, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`drydock did not become healthy:\n${output}`);
}

/** The pids whose parent is `pid` (a postmaster's backends and helpers), from /proc. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
}

/** A Platform API call to a drydock process, as the Heroku CLI sends it: the status and JSON body. */
export async function callApi(
  baseUrl: string,
  token: string,
  method: string,
  url: string,
  body?: unknown,
) {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/vnd.heroku+json; version=3',
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
