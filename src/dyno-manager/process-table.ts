import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  /** The process group it belongs to. */
  pgid: number;
  /** Clock ticks after boot at which it started: with the boot id, tells a reused pid apart. */
  startTime: number;
}

/** Fields 5 and 22 of /proc/<pid>/stat, counted after the parenthesised command name. */
export function parseStat(pid: number, stat: string): ProcessEntry | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const pgid = Number.parseInt(fields[2], 10);
  const startTime = Number.parseInt(fields[19], 10);
  if (!Number.isInteger(pgid) || !Number.isInteger(startTime)) return undefined;
  return { pid, pgid, startTime };
}

/** One process from /proc; undefined once it is gone (or without /proc). */
export function readProcess(pid: number): ProcessEntry | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process /proc shows. */
export function listProcesses(): ProcessEntry[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const processes: ProcessEntry[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const process = readProcess(Number(entry));
    if (process) processes.push(process);
  }
  return processes;
}

/** This boot's id: process start times only compare within one boot. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Whether any process is left in the group (ESRCH: none; EPERM: one, someone else's). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a whole process group; a group already gone is no error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
