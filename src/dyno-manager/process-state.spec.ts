import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { liveGroups, ProcessState, RecordedProcess } from './process-state.js';
import { parseStat, readProcess } from './process-table.js';

const record = (pgid: number, startTime: number): RecordedProcess => ({
  pgid,
  startTime,
  appId: 'app-1',
  dynoId: `dyno-${pgid}`,
  name: 'web.1',
  generation: 1,
  oneOff: false,
});

describe('parseStat', () => {
  it('reads the process group and start time after a command name with spaces and parentheses', () => {
    const stat =
      '4242 (node (web) 1) S 1 4240 4240 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    expect(parseStat(4242, stat)).toEqual({ pid: 4242, pgid: 4240, startTime: 987654 });
  });
});

describe('liveGroups', () => {
  it('keeps a group whose leader is the recorded process', () => {
    expect(
      liveGroups([record(100, 5000)], [{ pid: 100, pgid: 100, startTime: 5000 }]),
    ).toHaveLength(1);
  });

  it('drops a group whose leader pid was reused by another process', () => {
    expect(liveGroups([record(100, 5000)], [{ pid: 100, pgid: 100, startTime: 9000 }])).toEqual([]);
  });

  it('keeps a group whose leader is gone while processes it started live on', () => {
    const table = [{ pid: 130, pgid: 100, startTime: 5100 }];
    expect(liveGroups([record(100, 5000)], table)).toHaveLength(1);
  });

  it('drops a group nothing is left of', () => {
    expect(liveGroups([record(100, 5000)], [{ pid: 7, pgid: 7, startTime: 1 }])).toEqual([]);
  });
});

describe('ProcessState', () => {
  it('keeps the groups that run on disk, for the next run to find those still alive', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-state-'));
    const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    try {
      const file = path.join(dir, 'processes.json');
      const state = new ProcessState(file);
      const leader = readProcess(child.pid!)!;
      state.add({ ...record(child.pid!, leader.startTime), oneOff: true });
      // pid 1 leads no group of ours: its start time is not the recorded one.
      state.add(record(1, -1));

      const next = new ProcessState(file).previous();
      expect(next.recorded.map((each) => each.pgid)).toEqual([child.pid, 1]);
      expect(next.live.map((each) => each.pgid)).toEqual([child.pid]);

      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      expect(new ProcessState(file).previous().live).toEqual([]);
      state.remove(child.pid!);
      state.remove(1);
      expect(new ProcessState(file).previous().recorded).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
