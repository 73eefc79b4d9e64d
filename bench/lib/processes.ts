import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { distModule } from './settings.js';

/** A Node process the harness started; every one is stopped when a benchmark ends. */
export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** stdout and stderr of the process. */
  logFile: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  args?: string[];
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Directory of the log file `<name>.log`. */
  logDir: string;
  /** Opens an IPC channel (process.send in the child). */
  ipc?: boolean;
}

const running = new Set<Child>();

export function spawnNode(name: string, script: string, options: SpawnOptions): Child {
  const logFile = path.join(options.logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const stdio: ('ignore' | 'ipc' | number)[] = ['ignore', fd, fd];
  if (options.ipc) stdio.push('ipc');
  const proc = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), script, ...(options.args ?? [])],
    { env: { ...process.env, ...options.env }, stdio },
  );
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${script})`);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      done = true;
      running.delete(child);
      resolve(code);
    });
  });
  const child: Child = {
    name,
    pid: proc.pid,
    process: proc,
    logFile,
    exited,
    hasExited: () => done,
    async stop(graceMs = 15_000) {
      if (done) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Stops every process still running, politely first. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Last resort on exit: no waiting possible, so SIGKILL. */
export function killAllSync(): void {
  for (const child of running) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

export function logTail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/**
 * Polls `check` until it returns true. Fails early, with the end of its log, when `child`
 * exits meanwhile.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  {
    timeoutMs = 60_000,
    intervalMs = 100,
    child,
  }: { timeoutMs?: number; intervalMs?: number; child?: Child } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child?.hasExited()) {
      throw new Error(`${child.name} exited while waiting for ${what}:\n${logTail(child.logFile)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      const tail = child ? `\n${logTail(child.logFile)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${tail}`);
    }
    await sleep(intervalMs);
  }
}

/** A free loopback port, found the way drydock's embedded PostgreSQL finds its own. */
export async function freePort(): Promise<number> {
  const { findFreePort } = await distModule<{ findFreePort(): Promise<number> }>(
    'common/network/free-port.js',
  );
  return findFreePort();
}

/** Resident set size and its peak, in bytes, from /proc/<pid>/status (Linux). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function cpuSecondsOf(pid: number, withExitedChildren = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime, stime, cutime and cstime are the
  // 14th to 17th (cutime and cstime: children that exited and were waited for).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  const children = withExitedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
  return (own + children) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux the harness runs on. */
const CLOCK_TICKS = 100;

function cpuTotals(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, n) => sum + n, 0);
  return { busy: total - idle, total };
}

/**
 * How many cores the rest of the machine keeps busy, sampled over `ms` while the harness
 * runs nothing: above ~0.2 the numbers of the next benchmark will be noisy.
 */
export async function foreignLoad(ms = 1000): Promise<number> {
  const before = cpuTotals();
  await sleep(ms);
  const after = cpuTotals();
  const cores = os.cpus().length;
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * cores;
}

/** Cores used between this call and the call of the function it returns. */
export function cpuMeter(cpuSeconds: () => number): () => number {
  const started = performance.now();
  const before = cpuSeconds();
  return () => (cpuSeconds() - before) / ((performance.now() - started) / 1000);
}
