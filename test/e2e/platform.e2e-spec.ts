import { jest } from '@jest/globals';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../src/common/network/free-port.js';
import { shellQuote } from '../../src/dyno-manager/rendezvous/attached-process.js';
import { groupMembers, recordedProcesses } from '../support/dyno-manager-process.js';
import { eventually } from '../support/eventually.js';
import { probe } from '../support/http-probe.js';

const CLI = fileURLToPath(new URL('../heroku-cli/node_modules/heroku/bin/run.js', import.meta.url));
const ADMIN = 'drydock_platform_e2e_admin_token_0123456789';
const APP = 'platform-hello';
const SLOW = 30_000;
const run = promisify(execFile);

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The "done when", as a newcomer would go through it: `npm run platform` (the API,
 * the reference router and the dyno manager, each its own process), `npm run deploy` of
 * the example app, then the real Heroku CLI: scale, serve through the router, config,
 * maintenance on and off, one-off dynos detached and attached, `heroku run bash` on a
 * terminal, restarts; and one Ctrl-C stops everything, dynos included.
 */
jest.setTimeout(120_000);

describe('npm run platform with the example app and the Heroku CLI', () => {
  let home: string;
  let dataDir: string;
  let platform: ChildProcess;
  let output = '';
  let apiUrl: string;
  let routerUrl: string;
  let routerPort: number;
  let cliEnv: NodeJS.ProcessEnv;

  const heroku = (...args: string[]): Promise<Cli> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { env: cliEnv, cwd: home, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const ok = async (...args: string[]): Promise<string> => {
    const result = await heroku(...args);
    if (result.code !== 0) {
      throw new Error(`heroku ${args.join(' ')}: ${result.code}\n${result.stdout}${result.stderr}`);
    }
    return result.stdout + result.stderr;
  };
  /** What the app answers through the router, for `times` requests. */
  const throughRouter = async (times: number) => {
    const answers: { status: number; body: string }[] = [];
    for (let i = 0; i < times; i++) {
      const response = await probe(routerPort, `${APP}.localhost`);
      answers.push({ status: response.status, body: response.body.trim() });
    }
    return answers;
  };
  /** Every formation dyno up on the latest release, as `heroku ps:wait` waits for. */
  const settled = async () => {
    const releases = (await (
      await fetch(`${apiUrl}/apps/${APP}/releases`, {
        headers: { Authorization: `Bearer ${ADMIN}` },
      })
    ).json()) as { version: number }[];
    const latest = Math.max(...releases.map((release) => release.version));
    await eventually(
      async () => {
        const formation = (await dynos()).filter((dyno) => !dyno.name.startsWith('run.'));
        expect(formation.every((d) => d.state === 'up' && d.release.version === latest)).toBe(true);
      },
      SLOW,
      100,
    );
  };
  const dynos = async () =>
    (
      await fetch(`${apiUrl}/apps/${APP}/dynos`, { headers: { Authorization: `Bearer ${ADMIN}` } })
    ).json() as Promise<{ name: string; state: string; release: { version: number } }[]>;

  beforeAll(async () => {
    // As a newcomer has it: the embedded PostgreSQL under DATA_DIR, its key generated there.
    home = await mkdtemp(path.join(os.tmpdir(), 'drydock-platform-'));
    await chmod(home, 0o755);
    dataDir = path.join(home, 'data');
    await mkdir(path.join(home, '.cache', 'heroku'), { recursive: true });
    await writeFile(path.join(home, '.cache', 'heroku', 'terms-of-service'), '');
    let port: number;
    let rendezvousPort: number;
    [port, routerPort, rendezvousPort] = [
      await findFreePort(),
      await findFreePort(),
      await findFreePort(),
    ];
    apiUrl = `http://127.0.0.1:${port}`;
    routerUrl = `http://127.0.0.1:${routerPort}`;
    platform = spawn(process.execPath, ['dist/scripts/platform.js'], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        DRYDOCK_ADMIN_TOKEN: ADMIN,
        PORT: String(port),
        ROUTER_PORT: String(routerPort),
        DYNO_MANAGER_RENDEZVOUS_PORT: String(rendezvousPort),
        DYNO_MANAGER_STOP_TIMEOUT_SECONDS: '5',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    platform.stdout!.on('data', (chunk) => (output += chunk));
    platform.stderr!.on('data', (chunk) => (output += chunk));
    await eventually(() => expect(output).toContain('Ctrl-C stops all three'), 120_000, 100);
    cliEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CACHE_HOME: path.join(home, '.cache'),
      HEROKU_HOST: apiUrl,
      HEROKU_PARTICLEBOARD_URL: apiUrl,
      HEROKU_API_KEY: ADMIN,
      DISABLE_TELEMETRY: 'true',
      HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
      HEROKU_DISABLE_AUTOUPDATE: 'true',
      NO_COLOR: '1',
      TZ: 'UTC',
      NODE_EXTRA_CA_CERTS: path.join(dataDir, 'dyno-manager', 'rendezvous-ca.pem'),
    };
  }, 150_000);

  afterAll(async () => {
    if (platform.exitCode === null && platform.signalCode === null) {
      platform.kill('SIGINT');
      await once(platform, 'exit');
    }
    await rm(home, { recursive: true, force: true });
  });

  it('prints where everything is, and how to point the CLI at it', () => {
    expect(output).toContain(`API (Heroku Platform API)  ${apiUrl}`);
    expect(output).toContain(`router                     ${routerUrl}`);
    expect(output).toContain(`export NODE_EXTRA_CA_CERTS=${cliEnv.NODE_EXTRA_CA_CERTS}`);
    expect(existsSync(cliEnv.NODE_EXTRA_CA_CERTS!)).toBe(true);
  });

  it('deploys the example app with npm run deploy, scales it and serves it through the router', async () => {
    await ok('apps:create', APP);
    const deployed = await run(
      process.execPath,
      ['dist/scripts/deploy.js', 'examples/hello', '--app', APP],
      { env: { PATH: process.env.PATH, DRYDOCK_URL: apiUrl, HEROKU_API_KEY: ADMIN } },
    );
    expect(deployed.stdout).toMatch(/Released v2 of platform-hello/);

    await ok('config:set', 'GREETING=ahoy', '-a', APP);
    expect(await ok('ps:scale', 'web=2', 'worker=1', '-a', APP)).toContain('web at 2');
    await settled();
    // Returns at once: every dyno is up on the latest release.
    await ok('ps:wait', '-a', APP);
    const ps = await ok('ps', '-a', APP);
    expect(ps).toMatch(/web\.1: up/);
    expect(ps).toMatch(/web\.2: up/);
    expect(ps).toMatch(/worker\.1: up/);
    await eventually(
      async () => {
        const bodies = new Set((await throughRouter(4)).map((answer) => answer.body));
        expect(bodies).toEqual(new Set(['Hello from web.1: ahoy', 'Hello from web.2: ahoy']));
      },
      SLOW,
      100,
    );
  });

  it('turns maintenance on and off while dynos and one-off dynos keep running', async () => {
    await ok('maintenance:on', '-a', APP);
    await eventually(async () => expect((await throughRouter(1))[0].status).toBe(503), SLOW, 50);
    expect(
      (await dynos())
        .filter((dyno) => dyno.state === 'up')
        .map((d) => d.name)
        .sort(),
    ).toEqual(['web.1', 'web.2', 'worker.1']);

    // Detached: it runs with the release's config and ends with its status recorded.
    await ok('run:detached', 'echo migrated $GREETING', '-a', APP);
    await eventually(
      async () => expect((await dynos()).some((d) => d.name === 'run.1')).toBe(false),
      SLOW,
      100,
    );

    // Attached through the rendezvous, with the exit status passed through.
    const attached = await heroku(
      'run',
      '-x',
      '-a',
      APP,
      '--',
      'echo "$DYNO says $GREETING"; (exit 3)',
    );
    expect(attached.code).toBe(3);
    expect(attached.stdout).toMatch(/run\.2 says ahoy/);

    await ok('maintenance:off', '-a', APP);
    await eventually(async () => expect((await throughRouter(1))[0].status).toBe(200), SLOW, 50);
  });

  it('opens an interactive heroku run bash on a terminal of the right size', async () => {
    const cli = [process.execPath, CLI, 'run', 'bash', '-a', APP].map(shellQuote).join(' ');
    const terminal = spawn(
      'script',
      ['-q', '-e', '-c', `stty rows 30 cols 100; exec ${cli}`, '/dev/null'],
      { env: { ...cliEnv, SHELL: '/bin/sh' }, cwd: home, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let screen = '';
    terminal.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    const exited = once(terminal, 'exit');
    try {
      await eventually(() => expect(screen).toMatch(/up, run\.\d+/), SLOW, 50);
      terminal.stdin!.write('echo "[$DYNO] $((6*7))"; stty size\r');
      await eventually(() => expect(screen).toMatch(/\[run\.\d+\] 42\r+\n30 100/), SLOW, 50);
      terminal.stdin!.write('exit\r');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      terminal.kill('SIGKILL');
    }
  });

  it('restarts a process type and a dyno, and a config change restarts every dyno on the new release', async () => {
    const before = await dynos();
    await ok('ps:restart', 'worker', '-a', APP);
    await ok('ps:stop', 'web.1', '-a', APP);
    await ok('config:set', 'GREETING=again', '-a', APP);
    await settled();
    await ok('ps:wait', '-a', APP);
    const latest = Math.max(...(await dynos()).map((dyno) => dyno.release.version));
    expect(latest).toBeGreaterThan(Math.max(...before.map((dyno) => dyno.release.version)));
    await eventually(
      async () => {
        const bodies = new Set((await throughRouter(4)).map((answer) => answer.body));
        expect(bodies).toEqual(new Set(['Hello from web.1: again', 'Hello from web.2: again']));
      },
      SLOW,
      100,
    );
  });

  it('stops the router, the dyno manager, its dynos and the API on one Ctrl-C', async () => {
    const listing = await fetch(`${apiUrl}/dyno-manager/v1/apps/${APP}/dynos`, {
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(listing.status).toBe(200);
    const groups = recordedProcesses(path.join(dataDir, 'dyno-manager')).map((p) => p.pgid);
    expect(groups).toHaveLength(3);
    expect(groups.flatMap(groupMembers).length).toBeGreaterThanOrEqual(3);
    platform.kill('SIGINT');
    const [code] = await once(platform, 'exit');
    expect(code).toBe(0);
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(`${routerUrl}/`)).rejects.toThrow();
    // No dyno process is left.
    expect(groups.flatMap(groupMembers)).toEqual([]);
  });
});
