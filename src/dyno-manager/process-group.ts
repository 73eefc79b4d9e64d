import { groupAlive, signalGroup } from './process-table.js';

/** After SIGKILL, how long to wait for the kernel to take the processes away. */
const KILL_WAIT_MS = 5000;

/**
 * Stops every process of a group as Heroku stops a dyno: SIGTERM to all of them, SIGKILL to
 * what is left after `timeoutMs` (`beforeKill` is told just before). Resolves once the group
 * is empty; `exited` (the leader's exit, when it is our child) saves polling while the
 * leader still runs.
 */
export async function stopGroup(
  pgid: number,
  timeoutMs: number,
  exited?: Promise<unknown>,
  beforeKill?: () => void,
): Promise<'terminated' | 'killed'> {
  signalGroup(pgid, 'SIGTERM');
  if (await groupGone(pgid, Date.now() + timeoutMs, exited)) return 'terminated';
  beforeKill?.();
  signalGroup(pgid, 'SIGKILL');
  await groupGone(pgid, Date.now() + KILL_WAIT_MS, exited);
  return 'killed';
}

/** Kills what is left of a group whose leader ended by itself (a dyno ends with its command). */
export async function killGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGKILL');
  await groupGone(pgid, Date.now() + KILL_WAIT_MS);
}

async function groupGone(
  pgid: number,
  deadline: number,
  exited?: Promise<unknown>,
): Promise<boolean> {
  if (exited) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
  }
  for (let pause = 10; groupAlive(pgid); pause = Math.min(pause * 2, 100)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return true;
}
