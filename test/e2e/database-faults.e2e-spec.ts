import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../src/database/process-table.js';
import { childPids, DrydockProcess, startDrydock } from '../support/drydock-process.js';
import { eventually } from '../support/eventually.js';

/** Requests that get no answer in this long count as hanging: the test fails. */
const HANG_MS = 12_000;

interface Outcome {
  status: number;
  retryAfter: string | null;
}

/**
 * Writers that never stop while PostgreSQL is frozen, killed and stopped under them:
 * each sets its own config var to 1, 2, 3, ... and remembers the last value drydock
 * acknowledged.
 */
class WriteLoad {
  readonly outcomes: Outcome[] = [];
  readonly acknowledged = new Map<string, number>();
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly drydock: DrydockProcess,
    private readonly token: string,
    writers: number,
  ) {
    this.loops = Array.from({ length: writers }, (_, i) => this.write(`WRITER_${i}`));
  }

  count(status: number): number {
    return this.outcomes.filter((outcome) => outcome.status === status).length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async write(key: string): Promise<void> {
    for (let value = 1; this.running; value++) {
      const response = await fetch(`${this.drydock.url}/apps/faulty/config-vars`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ [key]: String(value) }),
        signal: AbortSignal.timeout(HANG_MS),
      });
      await response.arrayBuffer();
      this.outcomes.push({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
      });
      if (response.status === 200) this.acknowledged.set(key, value);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('database faults, with real processes', () => {
  const cleanup: string[] = [];
  afterAll(() => Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('answers 503 with Retry-After while PostgreSQL is frozen, killed or stopped, recovers by itself, and loses no acknowledged write', async () => {
    // A private directory, as a clone under /root would be: the launcher must cope with it.
    const dataDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'drydock-faults-')), 'data');
    cleanup.push(path.dirname(dataDir));
    let drydock = await startDrydock(dataDir);
    const clusterDir = await realpath(path.join(dataDir, 'postgres'));
    if (clusterDir !== path.join(dataDir, 'postgres')) cleanup.push(clusterDir);
    const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    const api = (route: string, init: RequestInit = {}) =>
      fetch(`${drydock.url}${route}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        signal: AbortSignal.timeout(HANG_MS),
      });
    const postmaster = async () =>
      Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const readyz = () => fetch(`${drydock.url}/readyz`, { signal: AbortSignal.timeout(2000) });

    expect((await api('/apps', { method: 'POST', body: '{"name":"faulty"}' })).status).toBe(201);
    const load = new WriteLoad(drydock, token, 4);
    const acknowledgedSoFar = () => [...load.acknowledged.values()].reduce((a, b) => a + b, 0);
    const progresses = async () => {
      const before = acknowledgedSoFar();
      await eventually(() => expect(acknowledgedSoFar()).toBeGreaterThan(before + 8), 20_000, 50);
    };
    try {
      await progresses();

      // Frozen: the server and every backend stopped, connections open but silent.
      const frozen = [await postmaster(), ...childPids(await postmaster())];
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      try {
        const notReady = await readyz(); // aborts, failing the test, after 2 s
        expect(notReady.status).toBe(503);
        expect(notReady.headers.get('retry-after')).toMatch(/^\d+$/);
        const before = load.count(503);
        await eventually(() => expect(load.count(503)).toBeGreaterThan(before + 4), 20_000, 50);
      } finally {
        for (const pid of frozen) process.kill(pid, 'SIGCONT');
      }
      await eventually(async () => expect((await readyz()).status).toBe(200), 20_000, 100);
      await progresses();

      // Killed: drydock's supervisor starts the server again.
      const killed = await postmaster();
      process.kill(killed, 'SIGKILL');
      await eventually(async () => expect(await postmaster()).not.toBe(killed), 30_000, 100);
      await eventually(async () => expect((await readyz()).status).toBe(200), 30_000, 100);
      await progresses();

      // Stopped (fast shutdown, as `pg_ctl stop -m fast` does): started again too.
      const stopped = await postmaster();
      process.kill(stopped, 'SIGINT');
      await eventually(async () => expect(await postmaster()).not.toBe(stopped), 30_000, 100);
      await progresses();
    } finally {
      await load.stop();
    }

    const statuses = new Set(load.outcomes.map((outcome) => outcome.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    for (const outcome of load.outcomes.filter((o) => o.status === 503)) {
      expect(outcome.retryAfter).toMatch(/^\d+$/);
    }
    // Every acknowledged value is there (a later unacknowledged one may have landed too).
    const vars = (await (await api('/apps/faulty/config-vars')).json()) as Record<string, string>;
    for (const [key, value] of load.acknowledged)
      expect(Number(vars[key])).toBeGreaterThanOrEqual(value);
    // Releases stay gap-free: every committed change got the next version.
    const releases = (await (
      await fetch(`${drydock.url}/apps/faulty/releases`, {
        headers: { Authorization: `Bearer ${token}`, Range: 'version ..; max=1000' },
      })
    ).json()) as { version: number }[];
    const versions = releases.map((release) => release.version);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    expect(versions.length).toBeGreaterThan(load.acknowledged.size);

    // drydock killed outright leaves its PostgreSQL running; the next start deals with it.
    const orphan = await postmaster();
    expect(await drydock.stop('SIGKILL')).toBe(null);
    expect(isAlive(orphan)).toBe(true);
    drydock = await startDrydock(dataDir);
    try {
      await eventually(async () => expect((await readyz()).status).toBe(200), 30_000, 100);
      expect(isAlive(orphan)).toBe(false);
      expect(drydock.output()).toContain('that a previous drydock left running');
      const after = (await (await api('/apps/faulty/config-vars')).json()) as Record<
        string,
        string
      >;
      expect(after).toEqual(vars);
    } finally {
      expect(await drydock.stop('SIGTERM')).toBe(0);
    }
    expect(isAlive(await postmaster().catch(() => orphan))).toBe(false);
    expect(drydock.output()).not.toContain('internal_server_error');
  }, 180_000);
});
