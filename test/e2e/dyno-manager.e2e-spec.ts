import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { callApi, DrydockProcess, startDrydock } from '../support/drydock-process.js';
import {
  DynoManagerProcess,
  environOf,
  groupMembers,
  recordedProcesses,
  startDynoManager,
} from '../support/dyno-manager-process.js';
import { eventually } from '../support/eventually.js';

const ADMIN = 'drydock_dyno_manager_e2e_admin_0123456789';
/** Answers its DYNO name and the GREETING config var, on PORT. */
const WEB = `node -e "require('http').createServer((q,s)=>s.end(process.env.DYNO+' '+(process.env.GREETING||'-'))).listen(process.env.PORT)"`;
const SLOW = 20_000;

interface PublicDyno {
  name: string;
  state: string;
  exit_status: number | null;
  error: string | null;
}
interface ManagedDyno extends PublicDyno {
  id: string;
  generation: number;
  address: string | null;
}

/**
 * The reference dyno manager (`npm run dyno-manager`) as a process against the control
 * plane as a process: dynos run as real local processes, and everything is checked
 * through the public API, over HTTP at the addresses dynos report, and in /proc.
 */
describe('the reference dyno manager', () => {
  let dataDir: string;
  let managerDir: string;
  let scratch: string;
  let api: DrydockProcess;
  let manager: DynoManagerProcess;
  let apiPort: number;

  const call = (method: string, url: string, body?: unknown) =>
    callApi(api.url, ADMIN, method, url, body);
  const ok = async (method: string, url: string, body?: unknown) => {
    const response = await call(method, url, body);
    if (response.status >= 300)
      throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const dynos = async (app: string): Promise<PublicDyno[]> => ok('GET', `/apps/${app}/dynos`);
  const managed = async (app: string): Promise<ManagedDyno[]> =>
    ok('GET', `/dyno-manager/v1/apps/${app}/dynos`);
  const dyno = async (app: string, name: string) =>
    (await dynos(app)).find((each) => each.name === name);

  /** What the dyno at its reported address answers. */
  const answer = async (app: string, name: string): Promise<string> => {
    const listed = (await managed(app)).find((each) => each.name === name);
    expect(listed?.state).toBe('up');
    const response = await fetch(`http://${listed!.address}/`);
    return response.text();
  };
  const untilAnswer = (app: string, name: string, expected: string) =>
    eventually(async () => expect(await answer(app, name)).toBe(expected), SLOW, 50);

  const appIds = new Map<string, string>();
  /** The pid (and process group) of a dyno's process, from the manager's state file. */
  const pid = (app: string, name: string) => {
    const record = recordedProcesses(managerDir).find(
      (each) => each.appId === appIds.get(app) && each.name === name,
    );
    if (!record) throw new Error(`no process recorded for ${name}`);
    return record.pgid;
  };
  const createApp = async (name: string, processTypes: Record<string, string>) => {
    const created = await ok('POST', '/apps', { name, process_types: processTypes });
    appIds.set(name, created.id);
  };
  const untilGone = (pgid: number) =>
    eventually(() => expect(groupMembers(pgid)).toEqual([]), SLOW, 50);

  const managerEnv = () => ({
    CONTROL_PLANE_URL: `http://127.0.0.1:${apiPort}`,
    // The token the API generated into DATA_DIR: no admin token reaches the manager.
    DATA_DIR: dataDir,
    DYNO_MANAGER_DIR: managerDir,
    DYNO_MANAGER_NAME: 'e2e-host',
    DYNO_MANAGER_RENDEZVOUS_PORT: '0',
    DYNO_MANAGER_STOP_TIMEOUT_SECONDS: '3',
    DYNO_MANAGER_BOOT_TIMEOUT_SECONDS: '3',
    DYNO_MANAGER_CRASH_COOLDOWN_SECONDS: '0.2',
    LOG_LEVEL: 'debug',
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-dm-api-'));
    // The embedded server may run as the unprivileged `postgres` user, which must reach it.
    await chmod(dataDir, 0o755);
    managerDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-dm-'));
    scratch = await mkdtemp(path.join(os.tmpdir(), 'drydock-dm-scratch-'));
    api = await startDrydock(dataDir, { DRYDOCK_ADMIN_TOKEN: ADMIN });
    apiPort = api.port;
    manager = startDynoManager(managerEnv());
  }, 120_000);

  afterAll(async () => {
    // SIGTERM: even after a failed test, every dyno is stopped, whatever its command left.
    await manager?.stop('SIGTERM');
    await api?.stop();
    await Promise.all(
      [dataDir, managerDir, scratch].map((dir) => dir && rm(dir, { recursive: true, force: true })),
    );
  }, 60_000);

  it('runs web dynos that answer at the address they are reported up at', async () => {
    await createApp('dm-shop', { web: WEB, worker: 'sleep 1000' });
    await untilAnswer('dm-shop', 'web.1', 'web.1 -');
    expect((await managed('dm-shop'))[0].address).toMatch(/^127\.0\.0\.1:\d+$/);
    // The manager authenticated with the dyno-manager token the API saved, never an admin's.
    expect(manager.output()).toContain(
      `"token_from":"${path.join(dataDir, 'dyno-manager-token')}"`,
    );

    // Exactly drydock's env and what the platform adds: nothing of the manager's own.
    const env = environOf(pid('dm-shop', 'web.1'));
    const home = path.join(managerDir, 'dynos', appIds.get('dm-shop')!, 'web.1');
    expect(env).toMatchObject({ DYNO: 'web.1', HOME: home, PWD: home });
    expect(env.PORT).toMatch(/^\d+$/);
    expect(Object.keys(env).sort()).toEqual(
      expect.arrayContaining(['DYNO', 'HOME', 'PATH', 'PORT']),
    );
    expect(env).not.toHaveProperty('CONTROL_PLANE_URL');
    expect(env).not.toHaveProperty('DATA_DIR');
    const token = (await readFile(path.join(dataDir, 'dyno-manager-token'), 'utf8')).trim();
    expect(Object.values(env)).not.toContain(token);
  }, 30_000);

  it('starts and stops processes as the formation scales', async () => {
    await ok('PATCH', '/apps/dm-shop/formation', {
      updates: [
        { type: 'web', quantity: 2 },
        { type: 'worker', quantity: 1 },
      ],
    });
    await untilAnswer('dm-shop', 'web.2', 'web.2 -');
    await eventually(
      async () => expect((await dyno('dm-shop', 'worker.1'))?.state).toBe('up'),
      SLOW,
    );
    const web2 = pid('dm-shop', 'web.2');
    const worker1 = pid('dm-shop', 'worker.1');
    // A worker gets no PORT: Heroku sets it for web dynos.
    expect(environOf(worker1)).not.toHaveProperty('PORT');
    expect(groupMembers(worker1)).not.toEqual([]);

    await ok('PATCH', '/apps/dm-shop/formation', {
      updates: [
        { type: 'web', quantity: 1 },
        { type: 'worker', quantity: 0 },
      ],
    });
    await untilGone(web2);
    await untilGone(worker1);
    expect((await dynos('dm-shop')).map((each) => each.name)).toEqual(['web.1']);
    expect(await answer('dm-shop', 'web.1')).toBe('web.1 -');
  }, 60_000);

  it('replaces the process on a restart', async () => {
    const before = pid('dm-shop', 'web.1');
    await ok('DELETE', '/apps/dm-shop/dynos/web.1');
    await untilGone(before);
    await untilAnswer('dm-shop', 'web.1', 'web.1 -');
    expect(pid('dm-shop', 'web.1')).not.toBe(before);
  }, 30_000);

  it('restarts every dyno with the new environment after a config change', async () => {
    await ok('PATCH', '/apps/dm-shop/formation', { updates: [{ type: 'web', quantity: 2 }] });
    await untilAnswer('dm-shop', 'web.2', 'web.2 -');
    const before = [pid('dm-shop', 'web.1'), pid('dm-shop', 'web.2')];
    await ok('PATCH', '/apps/dm-shop/config-vars', { GREETING: 'hello' });
    await untilAnswer('dm-shop', 'web.1', 'web.1 hello');
    await untilAnswer('dm-shop', 'web.2', 'web.2 hello');
    for (const old of before) await untilGone(old);
    expect(environOf(pid('dm-shop', 'web.1')).GREETING).toBe('hello');
  }, 60_000);

  it('reports a crashing dyno crashed with its last error line, and starts it again', async () => {
    const starts = path.join(scratch, 'crasher-starts');
    await ok('PUT', '/apps/dm-shop/process-types', {
      web: WEB,
      crasher: `echo started >> ${starts}; echo 'fatal: out of beans' >&2; exit 3`,
      missing: 'nosuchcommand --flag',
    });
    await ok('PATCH', '/apps/dm-shop/formation', {
      updates: [
        { type: 'crasher', quantity: 1 },
        { type: 'missing', quantity: 1 },
      ],
    });
    await eventually(
      async () =>
        expect(await dyno('dm-shop', 'crasher.1')).toMatchObject({
          state: 'crashed',
          exit_status: 3,
          error: 'fatal: out of beans',
        }),
      SLOW,
    );
    // Restarted: at once after the first crash, then after a cooldown.
    await eventually(async () => {
      const lines = (await readFile(starts, 'utf8')).trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(3);
    }, SLOW);

    // A command that does not exist is a crashed dyno, never a crashed manager.
    await eventually(
      async () =>
        expect(await dyno('dm-shop', 'missing.1')).toMatchObject({
          state: 'crashed',
          exit_status: 127,
          error: '/bin/bash: line 1: nosuchcommand: command not found',
        }),
      SLOW,
    );
    expect(manager.process.exitCode).toBeNull();
    await ok('PATCH', '/apps/dm-shop/formation', {
      updates: [
        { type: 'crasher', quantity: 0 },
        { type: 'missing', quantity: 0 },
      ],
    });
    await eventually(async () => expect((await dynos('dm-shop')).length).toBe(2), SLOW);
  }, 60_000);

  it('kills a web dyno that does not bind its port in time (R10) and deletes an app with its dynos', async () => {
    await createApp('dm-unbound', { web: 'sleep 1000' });
    await eventually(
      async () =>
        expect(await dyno('dm-unbound', 'web.1')).toMatchObject({
          state: 'crashed',
          exit_status: 137,
          error:
            'Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 3 seconds of launch',
        }),
      SLOW,
    );
    const records = () =>
      recordedProcesses(managerDir).filter((each) => each.appId === appIds.get('dm-unbound'));
    await eventually(() => expect(records()).toHaveLength(1), SLOW);
    const restarted = records()[0].pgid;
    await ok('DELETE', '/apps/dm-unbound');
    await untilGone(restarted);
    await eventually(() => expect(records()).toEqual([]), SLOW);
  }, 60_000);

  it('runs a detached one-off dyno once and records how it ended', async () => {
    const runs = path.join(scratch, 'one-off-runs');
    const crashed = await ok('POST', '/apps/dm-shop/dynos', {
      command: `echo ran >> ${runs}; echo 'migration failed' >&2; exit 4`,
      attach: false,
    });
    const succeeded = await ok('POST', '/apps/dm-shop/dynos', { command: 'true', attach: false });
    await eventually(
      async () =>
        expect(await dyno('dm-shop', crashed.name)).toMatchObject({
          state: 'crashed',
          exit_status: 4,
          error: 'migration failed',
        }),
      SLOW,
    );
    // Exit 0: down, and finished, it leaves the listing.
    await eventually(
      async () => expect(await dyno('dm-shop', succeeded.name)).toBeUndefined(),
      SLOW,
    );
    // Never run again, not even when the app changes.
    await ok('PATCH', '/apps/dm-shop/config-vars', { GREETING: 'bonjour' });
    await untilAnswer('dm-shop', 'web.1', 'web.1 bonjour');
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toEqual(['ran']);
    expect(await dyno('dm-shop', crashed.name)).toMatchObject({ state: 'crashed' });
  }, 60_000);

  it('keeps dynos serving while the control plane is down, and reports once it is back', async () => {
    const web1 = (await managed('dm-shop')).find((each) => each.name === 'web.1')!;
    expect(await answer('dm-shop', 'web.1')).toBe('web.1 bonjour');
    expect(await api.stop()).toBe(0);

    // Fail-static: the dyno serves on; its crash while the API is away is kept for later.
    expect(await (await fetch(`http://${web1.address}/`)).text()).toBe('web.1 bonjour');
    const crashedPid = pid('dm-shop', 'web.1');
    process.kill(-crashedPid, 'SIGKILL');
    await eventually(() => expect(pid('dm-shop', 'web.1')).not.toBe(crashedPid), SLOW);

    api = await startDrydock(dataDir, { DRYDOCK_ADMIN_TOKEN: ADMIN, PORT: String(apiPort) });
    await eventually(async () => {
      const now = (await managed('dm-shop')).find((each) => each.name === 'web.1')!;
      expect(now.state).toBe('up');
      expect(now.address).not.toBe(web1.address);
    }, SLOW);
    expect(await answer('dm-shop', 'web.1')).toBe('web.1 bonjour');
    expect(manager.output()).toMatch(/state reports not delivered: keeping them/);
  }, 90_000);

  it('takes its dynos with it when killed, and replaces them when started again', async () => {
    const before = recordedProcesses(managerDir).map((each) => each.pgid);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(await manager.stop('SIGKILL')).toBeNull();
    for (const pgid of before) await untilGone(pgid);

    manager = startDynoManager(managerEnv());
    await untilAnswer('dm-shop', 'web.1', 'web.1 bonjour');
    await untilAnswer('dm-shop', 'web.2', 'web.2 bonjour');
    const after = recordedProcesses(managerDir).map((each) => each.pgid);
    expect(after.filter((each) => before.includes(each))).toEqual([]);
  }, 60_000);

  it('stops every dyno on SIGTERM, reports them down and exits 0', async () => {
    await untilAnswer('dm-shop', 'web.1', 'web.1 bonjour');
    const running = recordedProcesses(managerDir).map((each) => each.pgid);
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(await manager.stop('SIGTERM')).toBe(0);
    for (const pgid of running) expect(groupMembers(pgid)).toEqual([]);
    expect(recordedProcesses(managerDir)).toEqual([]);
    for (const each of await dynos('dm-shop')) {
      if (each.name.startsWith('run.')) continue;
      expect(each.state).toBe('down');
    }
    // Never the token or a config var value in the manager's log lines.
    const token = (await readFile(path.join(dataDir, 'dyno-manager-token'), 'utf8')).trim();
    expect(manager.output()).not.toContain(token);
    expect(manager.output()).not.toContain('bonjour');
    expect(manager.output()).not.toContain('hello');
    for (const line of manager.output().trim().split('\n'))
      expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);
});

describe('the reference dyno manager without a control plane', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-dm-alone-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a bad configuration with one line per problem and exit 1', async () => {
    const manager = startDynoManager({
      DYNO_MANAGER_TOKEN: 'x',
      CONTROL_PLANE_URL: 'ftp://nowhere',
      DYNO_HOST: 'a host',
      DATA_DIR: dir,
    });
    expect(await manager.exited).toBe(1);
    expect(manager.output()).toBe(
      [
        'Invalid dyno manager configuration:',
        '  - CONTROL_PLANE_URL must be an http:// or https:// URL such as http://127.0.0.1:3000',
        '  - DYNO_HOST must be a host name or an IP address (IPv6 in brackets) that routers reach dynos at',
        '',
      ].join('\n'),
    );
  });

  it('waits for an unreachable control plane, and still stops cleanly on SIGTERM', async () => {
    const manager = startDynoManager({
      DYNO_MANAGER_TOKEN: 'drydock_unused',
      // Nothing listens on port 9 (discard) here: the connection is refused.
      CONTROL_PLANE_URL: 'http://127.0.0.1:9',
      DYNO_MANAGER_DIR: dir,
      DATA_DIR: dir,
    });
    await eventually(
      () => expect(manager.output()).toContain('listing failed: dynos keep running as they are'),
      10_000,
    );
    expect(await manager.stop('SIGTERM')).toBe(0);
    expect(manager.output()).not.toContain('drydock_unused');
  });
});
