import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { eventually } from '../../../test/support/eventually.js';
import { parseSessionId, sessionOf, signalSession } from './process-sessions.js';

describe('parseSessionId', () => {
  it('reads the session after a command name that holds parentheses and spaces', () => {
    expect(parseSessionId('4242 (odd) name)) S 1 4240 4241 0 -1 4194560 ...')).toBe(4241);
  });

  it('gives null for a line without a session', () => {
    expect(parseSessionId('4242 (x) S 1')).toBeNull();
  });
});

/** State and process group from /proc/<pid>/stat, or null once the process is gone. */
function stat(pid: number): { state: string; pgrp: number } | null {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

describe('signalSession', () => {
  it('reaches every process of a session, in every process group', async () => {
    // The leader puts a child in a process group of its own, as an interactive shell does for a job.
    const leader = spawn('/bin/bash', ['-c', 'set -m; sleep 1000 & echo $!; wait'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const child = await new Promise<number>((resolve) =>
      leader.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString()))),
    );
    const exited = new Promise((resolve) => leader.once('exit', resolve));
    expect(sessionOf(child)).toBe(leader.pid);
    expect(stat(child)?.pgrp).not.toBe(leader.pid);

    expect(signalSession(leader.pid!, 'SIGKILL')).toBe(2);
    await exited;
    // Killed: gone, or a zombie until whoever adopted it reaps it.
    await eventually(() => expect(stat(child)?.state ?? 'Z').toBe('Z'));
  });

  it('signals nothing for a session that does not exist', () => {
    expect(signalSession(2 ** 22 + 7, 'SIGTERM')).toBe(0);
  });
});
