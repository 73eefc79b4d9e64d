import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../test/support/eventually.js';
import { DynoProcess, exitStatus, lastLine } from './dyno-process.js';
import { groupAlive } from './process-table.js';

describe('lastLine', () => {
  it('is the last line with anything on it, trimmed and cut at 1,000 characters', () => {
    expect(lastLine('first\n  second failure  \n\n')).toBe('second failure');
    expect(lastLine('a\r\nb\r')).toBe('b');
    expect(lastLine('x'.repeat(1500))).toHaveLength(1000);
    expect(lastLine(' \n ')).toBeUndefined();
  });
});

describe('exitStatus', () => {
  it('is the exit code, or 128 + the signal number as shells report it', () => {
    expect(exitStatus(3, null)).toBe(3);
    expect(exitStatus(null, 'SIGKILL')).toBe(137);
    expect(exitStatus(null, 'SIGTERM')).toBe(143);
  });
});

describe('DynoProcess', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-dyno-process-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const launch = (command: string, env: Record<string, string> = {}) =>
    DynoProcess.start({ command, cwd: dir, env: { PATH: process.env.PATH!, ...env } });

  it('runs the command through bash in its directory with exactly the env given', async () => {
    const dyno = launch('test "$PWD" = "$HOME" && test -z "$JEST_WORKER_ID" && exit 7', {
      HOME: dir,
    });
    expect(await dyno.exit).toMatchObject({ kind: 'exited', status: 7 });
  });

  it('tells the last stderr line of a command that failed, and ends what it started', async () => {
    const dyno = launch('sleep 60 & echo "bad thing" >&2; exit 2');
    const exit = await dyno.exit;
    expect(exit).toMatchObject({ kind: 'exited', status: 2, lastErrorLine: 'bad thing' });
    expect(groupAlive(dyno.pid!)).toBe(false);
  });

  it('tells every line written to stdout and stderr, the last one without a newline too', async () => {
    const lines: string[] = [];
    const dyno = DynoProcess.start(
      {
        command: 'echo out; echo err >&2; printf "a\\r\\nb"; printf "last" >&2; exit 1',
        cwd: dir,
        env: { PATH: process.env.PATH! },
      },
      (line) => lines.push(line),
    );
    expect(await dyno.exit).toMatchObject({ kind: 'exited', status: 1, lastErrorLine: 'last' });
    expect(lines.sort()).toEqual(['a', 'b', 'err', 'last', 'out']);
  });

  it('never blocks a process that writes more than a pipe holds', async () => {
    let count = 0;
    const dyno = DynoProcess.start(
      {
        command: 'for i in $(seq 1 20000); do echo "line $i of a chatty dyno"; done',
        cwd: dir,
        env: { PATH: process.env.PATH! },
      },
      () => count++,
    );
    expect(await dyno.exit).toMatchObject({ status: 0 });
    expect(count).toBe(20_000);
  });

  it('reports a command that does not exist as bash does, with status 127', async () => {
    expect(await launch('nosuch-command-here').exit).toMatchObject({
      kind: 'exited',
      status: 127,
      lastErrorLine: '/bin/bash: line 1: nosuch-command-here: command not found',
    });
  });

  it('stops the whole group with SIGTERM, then SIGKILL for what ignores it', async () => {
    const polite = launch('sleep 60');
    expect(await polite.stop(5000)).toBe('terminated');
    expect(await polite.exit).toMatchObject({ status: 143 });

    const ready = path.join(dir, 'trap-set');
    const stubborn = launch(`trap '' TERM; touch ${ready}; sleep 60 & wait; sleep 60`);
    await eventually(() => expect(existsSync(ready)).toBe(true));
    expect(await stubborn.stop(300)).toBe('killed');
    expect(await stubborn.exit).toMatchObject({ status: 137 });
    expect(groupAlive(stubborn.pid!)).toBe(false);
  });

  it('fails without a process when it cannot start at all', async () => {
    const dyno = DynoProcess.start({ command: 'true', cwd: path.join(dir, 'missing'), env: {} });
    expect(await dyno.exit).toMatchObject({ kind: 'failed' });
    expect(dyno.pid).toBeUndefined();
  });
});
