import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface DynoManagerProcess {
  process: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once it exited by itself or was stopped. */
  exited: Promise<number | null>;
  /** Sends `signal` and resolves with the exit code (null when a signal ended it). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `node dist/dyno-manager/main.js` as `npm run dyno-manager` runs it (built by `npm test`),
 * with only the environment given (and PATH): a dyno must never see the test's variables.
 */
export function startDynoManager(env: NodeJS.ProcessEnv): DynoManagerProcess {
  const child = spawn(process.execPath, ['dist/dyno-manager/main.js'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    process: child,
    output: () => output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface RecordedDynoProcess {
  pgid: number;
  appId: string;
  dynoId: string;
  name: string;
  generation: number;
}

/** The process groups the manager's state file holds (DYNO_MANAGER_DIR/processes.json). */
export function recordedProcesses(dir: string): RecordedDynoProcess[] {
  try {
    const state = JSON.parse(readFileSync(path.join(dir, 'processes.json'), 'utf8')) as {
      processes: RecordedDynoProcess[];
    };
    return state.processes;
  } catch {
    return [];
  }
}

/** Pids of the processes of a group that still run (zombies waiting for a reaper do not). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the parenthesised command name: state, ppid, pgrp.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** The environment of a running process, from /proc. */
export function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}
