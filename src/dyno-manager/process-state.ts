import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bootId, listProcesses, type ProcessEntry } from './process-table.js';

/** A dyno process group this manager started, as the state file keeps it. */
export interface RecordedProcess {
  pgid: number;
  /** Of the group's leader, from /proc. */
  startTime: number;
  appId: string;
  dynoId: string;
  name: string;
  generation: number;
  oneOff: boolean;
}

interface StateFile {
  bootId: string;
  processes: RecordedProcess[];
}

/**
 * The process groups of the dynos running now, on disk, so that the next run of the
 * manager (after a crash or a SIGKILL, when no dyno could be stopped) finds and stops
 * what this one left behind. Rewritten whole (write and rename) on every change.
 */
export class ProcessState {
  private readonly processes = new Map<number, RecordedProcess>();
  private readonly boot = bootId();

  constructor(private readonly file: string) {}

  /**
   * What the previous run recorded (`recorded`), and of it the groups that still have
   * processes (`live`), checked against /proc; none are live after a reboot.
   */
  previous(): { recorded: RecordedProcess[]; live: RecordedProcess[] } {
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(this.file, 'utf8')) as StateFile;
    } catch {
      return { recorded: [], live: [] };
    }
    const recorded = Array.isArray(state.processes) ? state.processes : [];
    const live = state.bootId === this.boot ? liveGroups(recorded, listProcesses()) : [];
    return { recorded, live };
  }

  add(record: RecordedProcess): void {
    this.processes.set(record.pgid, record);
    this.save();
  }

  remove(pgid: number): void {
    if (this.processes.delete(pgid)) this.save();
  }

  /** Starts the file over with what runs now (nothing, at start once leftovers are stopped). */
  save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const state: StateFile = { bootId: this.boot, processes: [...this.processes.values()] };
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

/**
 * The recorded groups that still have processes, and are the ones recorded: while any
 * member of a group lives its id cannot be reused, so members started no earlier than the
 * recorded leader are ours; a live leader must have the recorded start time (a pid that was
 * reused since leads someone else's group).
 */
export function liveGroups(
  recorded: readonly RecordedProcess[],
  table: readonly ProcessEntry[],
): RecordedProcess[] {
  return recorded.filter((record) => {
    const members = table.filter((entry) => entry.pgid === record.pgid);
    const leader = members.find((entry) => entry.pid === record.pgid);
    if (leader) return leader.startTime === record.startTime;
    return members.some((entry) => entry.startTime >= record.startTime);
  });
}
