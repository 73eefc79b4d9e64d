import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: this file runs as dist/bench/lib/settings.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
export const BENCH_DIST_DIR = path.join(DIST_DIR, 'bench');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
export const API_MAIN = path.join(DIST_DIR, 'main.js');
export const ROUTER_MAIN = process.env.BENCH_ROUTER_MAIN
  ? path.resolve(process.env.BENCH_ROUTER_MAIN)
  : path.join(DIST_DIR, 'router', 'main.js');

/** A compiled helper script of the harness, e.g. `servers/upstream.js`. */
export function benchScript(relative: string): string {
  return path.join(BENCH_DIST_DIR, relative);
}

export function routerBuilt(): boolean {
  return existsSync(ROUTER_MAIN);
}

/** Loads a module of the production build (dist/), typed by the caller. */
export async function distModule<T>(relative: string): Promise<T> {
  return (await import(pathToFileURL(path.join(DIST_DIR, relative)).href)) as T;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds`);
  return value;
}

export interface Settings {
  /** Seconds of each measured load run (BENCH_DURATION, default 10). */
  duration: number;
  /** Seconds of unmeasured load before each measured run (BENCH_WARMUP, default 2). */
  warmup: number;
  /** LOG_LEVEL of the API processes (BENCH_LOG_LEVEL, default info as in production). */
  logLevel: string;
  /** BENCH_CPU_PROF=1: run the API and router with --cpu-prof into bench/results/profiles. */
  cpuProfile: boolean;
  /** BENCH_KEEP=1: keep the temporary directory (database, process logs) after the run. */
  keep: boolean;
  /** Concurrent PATCH senders in the propagation benchmark (BENCH_PROPAGATION_CONCURRENCY). */
  propagationConcurrency: number;
  adminToken: string;
  encryptionKey: string;
}

export function loadSettings(): Settings {
  return {
    duration: seconds('BENCH_DURATION', 10),
    warmup: seconds('BENCH_WARMUP', 2),
    logLevel: process.env.BENCH_LOG_LEVEL || 'info',
    cpuProfile: process.env.BENCH_CPU_PROF === '1',
    keep: process.env.BENCH_KEEP === '1',
    propagationConcurrency: Math.max(1, Math.floor(seconds('BENCH_PROPAGATION_CONCURRENCY', 8))),
    adminToken: `bench-admin-${randomBytes(16).toString('hex')}`,
    encryptionKey: randomBytes(32).toString('hex'),
  };
}
