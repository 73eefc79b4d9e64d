import { readdirSync, readFileSync } from 'node:fs';

/** How often a sweep looks again for processes forked while it was signalling. */
const SWEEP_PASSES = 5;

/**
 * The session id of a process from /proc/<pid>/stat, or null once it is gone. The command
 * name in parentheses may itself hold ")", so the fields are read after the last one.
 */
export function sessionOf(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseSessionId(stat);
}

/** The session field of a /proc/<pid>/stat line: `pid (comm) state ppid pgrp session ...`. */
export function parseSessionId(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const session = Number(fields[3]);
  return Number.isInteger(session) && session > 0 ? session : null;
}

/**
 * Sends `signal` to every process of session `sid`. A dyno's processes share the session
 * its leader opened (`detached`, or the session a pseudo-terminal's child opens), which
 * also holds the process groups an interactive shell makes for its jobs: signalling the
 * leader's group alone would miss those. Returns how many processes were signalled.
 */
export function signalSession(sid: number, signal: NodeJS.Signals): number {
  let signalled = 0;
  const seen = new Set<number>();
  for (let pass = 0; pass < SWEEP_PASSES; pass++) {
    let found = false;
    for (const pid of listPids()) {
      if (pid === process.pid || sessionOf(pid) !== sid) continue;
      // SIGKILL takes a while to reap: a process seen once is signalled once.
      if (seen.has(pid)) continue;
      seen.add(pid);
      found = true;
      try {
        process.kill(pid, signal);
        signalled++;
      } catch {
        // Gone between the listing and the signal.
      }
    }
    if (!found || signal !== 'SIGKILL') break;
  }
  return signalled;
}

function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}
