import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext } from './context.js';
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, logTail, spawnNode } from './processes.js';
import { benchScript } from './settings.js';
import type { LatencySummary } from './stats.js';

export interface LoadSpec {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before the measured run, not counted. */
  warmup: number;
  method?: string;
  headers?: Record<string, string>;
  path?: string;
  /**
   * GET `pathPrefix` + a name from the JSON array in `namesFile`: the names are shuffled and
   * dealt out to the connections, each cycling through its share (prebuilt requests).
   */
  randomNames?: { namesFile: string; pathPrefix: string };
  /**
   * Each request: PATCH `pathPrefix` + name with {"maintenance": true|false}, cycling over the
   * names so that every request flips one app and no two connections hold the same app.
   */
  toggleMaintenance?: { namesFile: string; pathPrefix: string };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Responses per second over the measured run. */
  rps: number;
  /** Milliseconds, every response counted whatever its status. */
  latency: LatencySummary;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  bytes: number;
  /**
   * CPU the watched server processes used during the load (warm-up included), in cores
   * (CPU seconds per second), and in microseconds per response.
   */
  serverCpu?: Record<string, { cores: number; microsPerResponse: number }>;
  /** CPU the load generator itself used, in cores: near 1 means it may be the bottleneck. */
  loaderCores?: number;
}

/**
 * Runs autocannon in its own process (so the load generator never shares an event loop
 * with the harness or the server under test) and returns what it measured.
 */
export async function runLoad(
  ctx: BenchContext,
  label: string,
  spec: LoadSpec,
  watch: { name: string; pid: number }[] = [],
): Promise<LoadResult> {
  const specFile = path.join(ctx.logDir, `load-${label}.spec.json`);
  const resultFile = path.join(ctx.logDir, `load-${label}.result.json`);
  await writeFile(specFile, JSON.stringify(spec));
  ctx.log(
    `  load ${label}: ${spec.connections} connections, ${spec.warmup} s warm-up + ${spec.duration} s against ${spec.url}`,
  );
  const cpuBefore = watch.map(({ pid }) => cpuSecondsOf(pid));
  const started = performance.now();
  const child = spawnNode(`load-${label}`, benchScript('lib/load-worker.js'), {
    logDir: ctx.logDir,
    args: [specFile, resultFile],
  });
  const code = await child.exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(
      `load generator for ${label} failed (exit ${code}):\n${logTail(child.logFile)}`,
    );
  }
  const result = JSON.parse(await readFile(resultFile, 'utf8')) as LoadResult;
  if (watch.length) {
    result.serverCpu = Object.fromEntries(
      watch.map(({ name, pid }, i) => {
        const cores = (cpuSecondsOf(pid) - cpuBefore[i]) / seconds;
        return [name, { cores, microsPerResponse: (cores / result.rps) * 1e6 }];
      }),
    );
  }
  return result;
}

/** The share of responses with `status`. */
export function statusShare(result: LoadResult, status: number): number {
  const total = Object.values(result.statusCounts).reduce((sum, n) => sum + n, 0);
  return total === 0 ? 0 : (result.statusCounts[String(status)] ?? 0) / total;
}

/** A problem to report when a run got anything but `status`, or errors. */
export function loadProblems(label: string, result: LoadResult, status: number): string[] {
  const problems: string[] = [];
  const others = Object.entries(result.statusCounts).filter(([code]) => code !== String(status));
  if (others.length) {
    problems.push(
      `${label}: unexpected statuses ${others.map(([code, n]) => `${code}×${n}`).join(', ')}`,
    );
  }
  if (result.errors) problems.push(`${label}: ${result.errors} connection errors`);
  if (result.timeouts) problems.push(`${label}: ${result.timeouts} timeouts`);
  if (result.requests === 0) problems.push(`${label}: no response at all`);
  return problems;
}
