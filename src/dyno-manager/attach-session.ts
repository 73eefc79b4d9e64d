import { createHash, timingSafeEqual } from 'node:crypto';
import type { DynoLaunch } from './dyno-process.js';

/** Heroku's error for an attached one-off dyno nobody attached to in time. */
export const ATTACH_ERROR = 'Error R13 (Attach error) -> Failed to attach to process';

/**
 * An attached one-off dyno (`heroku run`) whose client presented its secret: what the
 * rendezvous needs to run it in the client's terminal. The rendezvous starts the process
 * itself (under a pseudo-terminal when `tty`), and tells the manager what happens to it;
 * the manager reports the dyno's states, records its process group, and stops it (SIGTERM
 * to the group, then SIGKILL) when the dyno is stopped or the manager shuts down.
 */
export interface AttachSession {
  readonly dyno: {
    appId: string;
    appName: string;
    name: string;
    command: string;
    tty: boolean;
    columns: number | null;
    lines: number | null;
  };
  /**
   * Prepares the dyno's directory (its release's slug unpacked) and environment, and
   * reports it starting. Run `argv` with `cwd` and exactly `env`, as the leader of a new
   * process group (`detached: true`, or a pseudo-terminal's new session). Rejects when the
   * dyno cannot run (it is then reported crashed and finished: end the session).
   */
  prepare(): Promise<DynoLaunch & { argv: [string, string[]] }>;
  /** The process started: the dyno is up. */
  started(pid: number): void;
  /**
   * The process ended: `status` is its exit code, or 128 + the signal's number;
   * `lastErrorLine` the last line of its output, if known. Exit 0 ends the dyno down,
   * anything else crashed; either way it is finished.
   */
  ended(result: { status: number; lastErrorLine?: string }): void;
  /** The client went away before `started`: the dyno ends crashed with `reason`. */
  abandon(reason: string): void;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex sha256 digests without leaking where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
