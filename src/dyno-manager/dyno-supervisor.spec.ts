import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { eventually } from '../../test/support/eventually.js';
import { JsonClient } from '../common/http-client/json-client.js';
import { createLogger } from '../common/logging/logger.js';
import { ATTACH_ERROR, ORPHANED_ATTACH_ERROR, secretHash } from './attach-session.js';
import type { DynoReport } from './control-plane-api.js';
import { launchArgv } from './dyno-process.js';
import { DynoSupervisor } from './dyno-supervisor.js';
import { DynoWorkspace } from './dyno-workspace.js';
import type { ManagedDyno } from './managed-dyno.js';
import { ProcessState } from './process-state.js';
import { ensureRendezvousCertificate } from './rendezvous/rendezvous-certificate.js';
import { startRendezvousServer } from './rendezvous/rendezvous-server.js';
import { groupAlive } from './process-table.js';
import { SlugCache } from './slug-cache.js';

const APP = { id: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'shop' };

function oneOff(name: string, secret: string | null, overrides: Partial<ManagedDyno> = {}) {
  return {
    id: `id-${name}`,
    name,
    type: 'run',
    command: 'echo "$GREETING from $DYNO"; exit 0',
    size: 'Standard-1X',
    state: 'starting',
    app: APP,
    release: null,
    generation: 1,
    address: null,
    env: { GREETING: 'hello' },
    slug: null,
    attached: secret !== null,
    attach:
      secret === null
        ? null
        : {
            secretSha256: secretHash(secret),
            expiresAt: new Date(Date.now() + 60_000),
            tty: true,
            columns: 80,
            lines: 24,
          },
    ...overrides,
  } satisfies ManagedDyno;
}

/** The manager's supervisor on a real directory and real processes; the control plane faked. */
describe('DynoSupervisor: attached one-off dynos, for the rendezvous', () => {
  let dir: string;
  let reports: Array<{ dyno: string; report: DynoReport }>;
  let listing: ManagedDyno[];
  let relists: number;
  let supervisor: DynoSupervisor;
  let logs: string[];

  beforeEach(() => {
    logs = [];
    dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-supervisor-'));
    reports = [];
    listing = [];
    relists = 0;
    const client = new JsonClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' });
    supervisor = new DynoSupervisor({
      dynoHost: '127.0.0.1',
      stopTimeoutMs: 2000,
      bootTimeoutMs: 2000,
      crashCooldownMs: 0,
      path: process.env.PATH!,
      workspace: new DynoWorkspace(dir, new SlugCache(path.join(dir, 'slugs'), client)),
      state: new ProcessState(path.join(dir, 'processes.json')),
      report: (dyno, report) => reports.push({ dyno: dyno.name, report }),
      logs: {
        push: (_appId, source, dyno, message) => logs.push(`${source}[${dyno}]: ${message}`),
      },
      relistAll: async () => {
        relists++;
        supervisor.apply(listing, 'all');
      },
      log: createLogger('silent'),
    });
  });
  afterEach(async () => {
    await supervisor.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const states = (dyno: string) =>
    reports.filter((each) => each.dyno === dyno).map((each) => each.report.state);

  it('does not start an attached dyno by itself, and opens it once for its secret', async () => {
    listing = [oneOff('run.1', 's3cret')];
    supervisor.apply(listing, 'all');
    expect(reports).toEqual([]);

    expect(await supervisor.authorize('wrong')).toBeNull();
    const session = await supervisor.authorize('s3cret');
    expect(session?.dyno).toEqual({ id: 'id-run.1', appName: 'shop', name: 'run.1' });
    expect(await supervisor.authorize('s3cret')).toBeNull();

    expect(session?.tty).toEqual({ columns: 80, lines: 24 });
    const launch = await session!.prepare();
    expect(launch.cwd).toBe(path.join(dir, 'dynos', APP.id, 'run.1'));
    expect(launch.env).toEqual({
      GREETING: 'hello',
      DYNO: 'run.1',
      HOME: launch.cwd,
      PATH: process.env.PATH,
    });
    const [file, args] = launchArgv(launch.command);
    const child = spawn(file, args, { cwd: launch.cwd, env: launch.env, detached: true });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    session!.started(child.pid!);
    const status = await new Promise<number>((resolve) => child.on('close', resolve));
    session!.ended({ status });
    expect(output).toBe('hello from run.1\n');
    await eventually(() => expect(states('run.1')).toEqual(['starting', 'up', 'down']));
    expect(reports.at(-1)!.report).toMatchObject({ exit_status: 0, generation: 1 });

    // Finished: a listing that still holds it neither waits for it nor runs it again.
    supervisor.apply(listing, 'all');
    expect(await supervisor.authorize('s3cret')).toBeNull();
    expect(states('run.1')).toEqual(['starting', 'up', 'down']);
  });

  it('lists everything once more for a secret it does not know yet', async () => {
    supervisor.apply([], 'all');
    listing = [oneOff('run.2', 'fresh')];
    expect(await supervisor.authorize('fresh')).not.toBeNull();
    expect(relists).toBe(1);
    expect(await supervisor.authorize('never')).toBeNull();
    expect(relists).toBe(2);
  });

  it("ends an attached dyno nobody attached to in time crashed, with Heroku's R13", async () => {
    const expiring = oneOff('run.3', 'late');
    expiring.attach!.expiresAt = new Date(Date.now() + 50);
    listing = [expiring];
    supervisor.apply(listing, 'all');
    await eventually(() => expect(states('run.3')).toEqual(['crashed']));
    expect(reports[0].report).toEqual({ state: 'crashed', generation: 1, error: ATTACH_ERROR });
    expect(await supervisor.authorize('late')).toBeNull();
  });

  it('ends an attached dyno whose secret another manager spent crashed, and never runs it alone', async () => {
    listing = [oneOff('run.6', null, { attached: true })];
    supervisor.apply(listing, 'all');
    await eventually(() => expect(states('run.6')).toEqual(['crashed']));
    expect(reports[0].report).toEqual({
      state: 'crashed',
      generation: 1,
      error: ORPHANED_ATTACH_ERROR,
    });
  });

  it('hands an attached dyno to the rendezvous, and stops it when it leaves the listing', async () => {
    const certificate = await ensureRendezvousCertificate(path.join(dir, 'tls'), []);
    const rendezvous = await startRendezvousServer({
      host: '127.0.0.1',
      port: 0,
      key: certificate.key,
      cert: certificate.cert,
      authorize: (secret) => supervisor.authorize(secret),
      logger: createLogger('silent'),
    });
    try {
      listing = [
        oneOff('run.4', 'open', {
          command: 'echo "$GREETING from $DYNO"; exec sleep 60',
          attach: { ...oneOff('run.4', 'open').attach!, tty: false },
        }),
      ];
      supervisor.apply(listing, 'all');
      const socket = tls.connect({
        host: '127.0.0.1',
        port: rendezvous.port,
        ca: readFileSync(certificate.caFile, 'utf8'),
      });
      let output = '';
      socket.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write('open\r\n');
      await eventually(() => expect(output).toContain('hello from run.4\n'));
      expect(states('run.4')).toEqual(['starting', 'up']);
      const pgid = JSON.parse(readFileSync(path.join(dir, 'processes.json'), 'utf8')).processes[0]
        .pgid as number;

      // ps:stop run.4: it leaves the listing; the manager stops its process group.
      supervisor.apply([], 'all');
      await closed;
      await eventually(() => expect(groupAlive(pgid)).toBe(false));
      expect(states('run.4')).toEqual(['starting', 'up']);
      // Its output went to its client only; the log has what Heroku says about it.
      expect(logs).toEqual([
        'heroku[run.4]: Starting process with command `echo "$GREETING from $DYNO"; exec sleep 60`',
        'heroku[run.4]: Stopping all processes with SIGTERM',
      ]);
    } finally {
      await rendezvous.close();
    }
  });

  it('runs a detached one-off dyno at once and reports how it ended', async () => {
    supervisor.apply(
      [oneOff('run.5', null, { command: 'echo "$GREETING from $DYNO"; echo nope >&2; exit 9' })],
      'all',
    );
    await eventually(() => expect(states('run.5')).toEqual(['starting', 'up', 'crashed']));
    // What it wrote, in its app's log; its state changes are the control plane's to write.
    expect(logs).toEqual([
      'heroku[run.5]: Starting process with command `echo "$GREETING from $DYNO"; echo nope >&2; exit 9`',
      'app[run.5]: hello from run.5',
      'app[run.5]: nope',
    ]);
    expect(reports.at(-1)!.report).toEqual({
      state: 'crashed',
      generation: 1,
      address: null,
      exit_status: 9,
      error: 'nope',
    });
  });
});

/** Formation dynos and the lines Heroku writes about them, with short timeouts. */
describe("DynoSupervisor: the apps' logs", () => {
  let dir: string;
  let reports: Array<{ dyno: string; report: DynoReport }>;
  let logs: Array<{ appId: string; line: string }>;
  let supervisor: DynoSupervisor;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-supervisor-logs-'));
    reports = [];
    logs = [];
    const client = new JsonClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' });
    supervisor = new DynoSupervisor({
      dynoHost: '127.0.0.1',
      stopTimeoutMs: 200,
      bootTimeoutMs: 300,
      crashCooldownMs: 60_000,
      path: process.env.PATH!,
      workspace: new DynoWorkspace(dir, new SlugCache(path.join(dir, 'slugs'), client)),
      state: new ProcessState(path.join(dir, 'processes.json')),
      report: (dyno, report) => reports.push({ dyno: dyno.name, report }),
      logs: {
        push: (appId, source, dyno, message) =>
          logs.push({ appId, line: `${source}[${dyno}]: ${message}` }),
      },
      relistAll: async () => undefined,
      log: createLogger('silent'),
    });
  });
  afterEach(async () => {
    await supervisor.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const formation = (name: string, command: string): ManagedDyno => ({
    ...oneOff(name, null, { command }),
    id: `id-${name}`,
    type: name.split('.')[0],
    env: { GREETING: 'hello', DATABASE_URL: 'postgres://user:s3cret@db/app' },
  });
  const lines = () => logs.map((each) => each.line);
  const states = (dyno: string) =>
    reports.filter((each) => each.dyno === dyno).map((each) => each.report.state);

  it("ships a web dyno's output and the start and stop Heroku writes, never its env", async () => {
    const web = formation(
      'web.1',
      `exec node -e "require('http').createServer().listen(process.env.PORT, () => console.log('listening on ' + process.env.PORT))"`,
    );
    supervisor.apply([web], 'all');
    await eventually(() => expect(states('web.1')).toEqual(['starting', 'up']));
    await eventually(() => expect(lines()[1]).toMatch(/^app\[web\.1\]: listening on \d+$/));
    supervisor.apply([], 'all');
    await eventually(() =>
      expect(lines()).toContain('heroku[web.1]: Stopping all processes with SIGTERM'),
    );
    expect(lines()).toEqual([
      `heroku[web.1]: Starting process with command \`${web.command}\``,
      expect.stringMatching(/^app\[web\.1\]: listening on \d+$/),
      'heroku[web.1]: Stopping all processes with SIGTERM',
    ]);
    expect(new Set(logs.map((each) => each.appId))).toEqual(new Set([APP.id]));
    expect(JSON.stringify(logs)).not.toContain('s3cret');
  });

  it('writes R12 and SIGKILL for a dyno that ignores SIGTERM past the stop timeout', async () => {
    supervisor.apply([formation('worker.1', "trap '' TERM; echo ready; sleep 60 & wait")], 'all');
    await eventually(() => expect(lines()).toContain('app[worker.1]: ready'));
    supervisor.apply([], 'all');
    await eventually(() =>
      expect(lines()).toContain('heroku[worker.1]: Stopping remaining processes with SIGKILL'),
    );
    expect(lines().slice(2)).toEqual([
      'heroku[worker.1]: Stopping all processes with SIGTERM',
      'heroku[worker.1]: Error R12 (Exit timeout) -> At least one process failed to exit within 0.2 seconds of SIGTERM',
      'heroku[worker.1]: Stopping remaining processes with SIGKILL',
    ]);
  });

  it('writes R10 for a web dyno that does not bind its port in time', async () => {
    supervisor.apply([formation('web.1', 'echo booting; exec sleep 60')], 'all');
    await eventually(() => expect(states('web.1').slice(0, 2)).toEqual(['starting', 'crashed']));
    // The first crash restarts at once: the lines of the first run come first.
    expect(lines().slice(0, 4)).toEqual([
      'heroku[web.1]: Starting process with command `echo booting; exec sleep 60`',
      'app[web.1]: booting',
      'heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 0.3 seconds of launch',
      'heroku[web.1]: Stopping process with SIGKILL',
    ]);
  });
});
