import type { TaskSpec } from 'graphile-worker';

/** Delivers what a drain has waiting, one batch a job (payload `{drain_id}`). */
export const DELIVER_TASK = 'deliver_log_drain';
/** Wakes every drain with lines waiting: a safety net for a wake-up that was lost. */
export const SWEEP_TASK = 'sweep_log_drains';

/** Tries of one job before graphile-worker gives up on it (the next wake-up adds it again). */
const JOB_ATTEMPTS = 8;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;

/**
 * The job spec of a drain's delivery. One job key per drain keeps at most one waiting, so
 * every replica may wake the same drain without duplicates; a wake-up while the keyed job
 * runs (or sits locked by a replica that died) takes the key over in a new job, which any
 * live replica runs. No named queue: graphile-worker keeps a queue locked for 4 hours when
 * its replica dies mid-job, and the drain with it; a delivery holds the drain's lock in the
 * database instead, which PostgreSQL drops with the dead replica's connection. Without
 * `runAt` a wake-up keeps the run_at of a job already waiting (a retry scheduled for later
 * stays later); with it, the job is moved to that time.
 */
export function deliveryJob(drainId: string, runAt?: Date): TaskSpec {
  return {
    jobKey: `log-drain:${drainId}`,
    jobKeyMode: runAt ? 'replace' : 'preserve_run_at',
    maxAttempts: JOB_ATTEMPTS,
    ...(runAt ? { runAt } : {}),
  };
}

/**
 * How long a drain that failed `failures` times in a row waits before the next try: 1 s
 * doubling to 5 minutes, each delay drawn from the upper half of its step so drains that
 * failed together do not all come back at once.
 */
export function drainRetryDelayMs(failures: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}
