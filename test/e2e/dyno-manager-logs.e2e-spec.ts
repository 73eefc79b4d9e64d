import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { callApi, DrydockProcess, startDrydock } from '../support/drydock-process.js';
import { DynoManagerProcess, startDynoManager } from '../support/dyno-manager-process.js';
import { eventually } from '../support/eventually.js';
import { openSse } from '../support/sse-client.js';

const ADMIN = 'drydock_dyno_manager_logs_admin_0123456789';
/** Says where it listens on stdout, warns on stderr, then serves on PORT. */
const WEB = `node -e "console.log('listening on ' + process.env.PORT); console.error('warning: ' + process.env.DYNO + ' is chatty'); require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)"`;
const SECRET = 'sekrit-value-0123456789';
const SLOW = 20_000;
const LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00 (app|heroku)\[[a-z0-9._-]+\]: /;

/**
 * The dyno manager and the API as processes: what dynos write, and what Heroku writes
 * about them, read back from the app's log through a log session as `heroku logs` does.
 */
describe("the dyno manager's lines in the apps' logs", () => {
  let dataDir: string;
  let managerDir: string;
  let api: DrydockProcess;
  let manager: DynoManagerProcess;

  const call = async (method: string, url: string, body?: unknown) => {
    const response = await callApi(api.url, ADMIN, method, url, body);
    if (response.status >= 300)
      throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  /** The app's log, oldest first, without the time: `heroku[web.1]: Starting process …`. */
  const logOf = async (app: string): Promise<string[]> => {
    const session = await call('POST', `/apps/${app}/log-sessions`, { lines: 1500 });
    const stream = await openSse(session.logplex_url, {});
    expect(stream.status).toBe(200);
    await stream.until(() => stream.ended);
    return stream.messages.map((message) => {
      expect(message.data).toMatch(LINE);
      return message.data.slice(message.data.indexOf(' ') + 1);
    });
  };
  const untilLogged = (app: string, check: (lines: string[]) => void) =>
    eventually(async () => {
      const lines = await logOf(app);
      check(lines);
      return lines;
    }, SLOW);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-dm-logs-api-'));
    // The embedded server may run as the unprivileged `postgres` user, which must reach it.
    await chmod(dataDir, 0o755);
    managerDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-dm-logs-'));
    api = await startDrydock(dataDir, { DRYDOCK_ADMIN_TOKEN: ADMIN });
    manager = startDynoManager({
      CONTROL_PLANE_URL: api.url,
      DATA_DIR: dataDir,
      DYNO_MANAGER_DIR: managerDir,
      DYNO_MANAGER_NAME: 'e2e-logs-host',
      DYNO_MANAGER_RENDEZVOUS_PORT: '0',
      DYNO_MANAGER_STOP_TIMEOUT_SECONDS: '3',
      DYNO_MANAGER_BOOT_TIMEOUT_SECONDS: '2',
      DYNO_MANAGER_CRASH_COOLDOWN_SECONDS: '60',
    });
  }, 120_000);

  afterAll(async () => {
    await manager?.stop('SIGTERM');
    await api?.stop();
    await Promise.all(
      [dataDir, managerDir].map((dir) => dir && rm(dir, { recursive: true, force: true })),
    );
  }, 60_000);

  it("ships a web dyno's stdout and stderr as app[web.1], after Heroku's start line", async () => {
    await call('POST', '/apps', { name: 'dm-logs', process_types: { web: WEB } });
    const lines = await untilLogged('dm-logs', (lines) => {
      expect(lines).toContainEqual(expect.stringMatching(/^app\[web\.1\]: listening on \d+$/));
      expect(lines).toContain('app[web.1]: warning: web.1 is chatty');
    });
    const started = lines.indexOf(`heroku[web.1]: Starting process with command \`${WEB}\``);
    expect(started).toBeGreaterThanOrEqual(0);
    expect(started).toBeLessThan(lines.findIndex((line) => line.startsWith('app[web.1]: ')));
    // The state changes are the control plane's, written once each.
    await untilLogged('dm-logs', (lines) =>
      expect(
        lines.filter((line) => line === 'heroku[web.1]: State changed from starting to up'),
      ).toHaveLength(1),
    );
  });

  it('writes the SIGTERM of a restart, and never a config value', async () => {
    await call('PATCH', '/apps/dm-logs/config-vars', { SECRET_TOKEN: SECRET });
    const lines = await untilLogged('dm-logs', (lines) => {
      expect(lines).toContain('heroku[web.1]: Stopping all processes with SIGTERM');
      expect(
        lines.filter((line) => line.startsWith('heroku[web.1]: Starting process with command')),
      ).toHaveLength(2);
      expect(lines.filter((line) => /^app\[web\.1\]: listening on \d+$/.test(line))).toHaveLength(
        2,
      );
    });
    // The old process stops before the new one starts.
    const stopping = lines.indexOf('heroku[web.1]: Stopping all processes with SIGTERM');
    const starts = lines.flatMap((line, i) =>
      line.startsWith('heroku[web.1]: Starting process') ? [i] : [],
    );
    expect(starts[0]).toBeLessThan(stopping);
    expect(starts[1]).toBeGreaterThan(stopping);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(manager.output()).not.toContain(SECRET);
  });

  it("ships a detached one-off dyno's output as app[run.N]", async () => {
    const command = 'echo "migrating on $DYNO"; echo "almost done" >&2';
    const dyno = await call('POST', '/apps/dm-logs/dynos', { command, attach: false });
    expect(dyno.name).toMatch(/^run\.\d+$/);
    const lines = await untilLogged('dm-logs', (lines) => {
      expect(lines).toContain(`app[${dyno.name}]: migrating on ${dyno.name}`);
      expect(lines).toContain(`app[${dyno.name}]: almost done`);
    });
    expect(lines).toContain(`heroku[${dyno.name}]: Starting process with command \`${command}\``);
  });

  it('writes R10 and the SIGKILL for a web dyno that never binds its port', async () => {
    await call('POST', '/apps', {
      name: 'dm-logs-unbound',
      process_types: { web: 'echo booting; exec sleep 1000' },
    });
    const lines = await untilLogged('dm-logs-unbound', (lines) =>
      expect(lines).toContain('heroku[web.1]: Stopping process with SIGKILL'),
    );
    const r10 = lines.indexOf(
      'heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 2 seconds of launch',
    );
    expect(r10).toBeGreaterThan(lines.indexOf('app[web.1]: booting'));
    expect(lines[r10 + 1]).toBe('heroku[web.1]: Stopping process with SIGKILL');
    await call('DELETE', '/apps/dm-logs-unbound');
  }, 60_000);
});
