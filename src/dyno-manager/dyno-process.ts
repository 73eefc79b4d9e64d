import { ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { LineSplitter } from './line-splitter.js';
import { killGroup, stopGroup } from './process-group.js';
import { readProcess } from './process-table.js';

/** What a dyno's process is started from. */
export interface DynoLaunch {
  command: string;
  cwd: string;
  env: Record<string, string>;
}

/**
 * The program and arguments that run a dyno's command: bash, as Heroku runs commands,
 * under setpriv so that the kernel kills it when the manager dies, even of SIGKILL.
 */
export function launchArgv(command: string): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'SIGKILL', '--', '/bin/bash', '-c', command]];
}

/** How a dyno's process ended. */
export type DynoExit =
  | {
      kind: 'exited';
      /** The exit code, or 128 + the signal's number when a signal ended it (as shells say). */
      status: number;
      /** The last line it wrote to stderr, trimmed, at most 1,000 characters. */
      lastErrorLine: string | undefined;
      ranMs: number;
    }
  | { kind: 'failed'; error: string };

export const ERROR_LINE_LIMIT = 1000;
const STDERR_TAIL_BYTES = 4096;
const PIPE_CLOSE_WAIT_MS = 1000;

/** Resolves once a pipe closed, or after a second, when it is cut (destroyed). */
function closedOrCut(pipe: Readable): Promise<void> {
  return new Promise<void>((done) => {
    if (pipe.closed) return done();
    const timer = setTimeout(() => {
      pipe.destroy();
      done();
    }, PIPE_CLOSE_WAIT_MS);
    pipe.once('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

/** The last non-blank line of a stream's tail, trimmed and cut to the report's limit. */
export function lastLine(tail: string): string | undefined {
  const lines = tail.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line) return line.length > ERROR_LINE_LIMIT ? line.slice(0, ERROR_LINE_LIMIT) : line;
  }
  return undefined;
}

/** 128 + n for a signal, as bash reports a command killed by signal n. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return 128 + (number ?? 0);
}

/**
 * One process of a dyno, leading its own process group (`detached`), so that stopping the
 * dyno reaches every process it started. Its environment is exactly the one given.
 */
export class DynoProcess {
  readonly pid: number | undefined;
  /** The leader's start time from /proc (0 if it could not be read). */
  readonly startTime: number;
  /** Resolves once, when the leader ended or could not start. */
  readonly exit: Promise<DynoExit>;
  private readonly startedAt = Date.now();
  private ended = false;

  private constructor(child: ChildProcess, onLine?: (line: string) => void) {
    this.pid = child.pid;
    this.startTime = child.pid ? (readProcess(child.pid)?.startTime ?? 0) : 0;
    let tail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // Read as fast as the dyno writes: a slow log must never block its writes.
    const pipes = [child.stdout, child.stderr].filter((pipe) => pipe !== null);
    const splitters = onLine
      ? pipes.map((pipe) => {
          const lines = new LineSplitter(onLine);
          pipe.setEncoding('utf8');
          pipe.on('data', (chunk: string) => lines.write(chunk));
          return lines;
        })
      : [];
    this.exit = new Promise<DynoExit>((resolve) => {
      child.once('error', (error) => {
        // A process that never started emits only 'error'; one that did still emits 'exit'.
        if (child.pid === undefined) {
          this.ended = true;
          for (const pipe of pipes) pipe.destroy();
          resolve({ kind: 'failed', error: `Failed to start the process: ${error.message}` });
        }
      });
      child.once('exit', (code, signal) => {
        const ranMs = Date.now() - this.startedAt;
        // The dyno ends with its command: nothing it started outlives it. Then its output
        // is complete once the pipes close (a process that left the group and holds one
        // open is not waited for).
        const closed = Promise.all(pipes.map(closedOrCut));
        void killGroup(child.pid!)
          .then(() => closed)
          .then(() => {
            // Last lines without a newline, before anyone hears of the exit.
            for (const lines of splitters) lines.end();
            this.ended = true;
            resolve({
              kind: 'exited',
              status: exitStatus(code, signal),
              lastErrorLine: lastLine(tail),
              ranMs,
            });
          });
      });
    });
  }

  /** `onLine`: told each line the process writes to stdout or stderr; else stdout is discarded. */
  static start(launch: DynoLaunch, onLine?: (line: string) => void): DynoProcess {
    const [file, args] = launchArgv(launch.command);
    const child = spawn(file, args, {
      cwd: launch.cwd,
      env: launch.env,
      detached: true,
      stdio: ['ignore', onLine ? 'pipe' : 'ignore', 'pipe'],
    });
    return new DynoProcess(child, onLine);
  }

  get running(): boolean {
    return !this.ended && this.pid !== undefined;
  }

  /** SIGTERM to the group, SIGKILL after `timeoutMs`; resolves once every process is gone. */
  async stop(timeoutMs: number): Promise<'terminated' | 'killed'> {
    if (this.pid === undefined) return 'terminated';
    return stopGroup(this.pid, timeoutMs, this.exit);
  }
}
