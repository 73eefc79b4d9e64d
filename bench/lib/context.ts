import { PgServer } from './postgres.js';
import type { Settings } from './settings.js';

/** What a benchmark gets from the runner. */
export interface BenchContext {
  name: string;
  settings: Settings;
  pg: PgServer;
  /** The run's temporary directory (removed at the end unless BENCH_KEEP=1). */
  tmpDir: string;
  /** Where this benchmark's process logs go. */
  logDir: string;
  /** Creates this benchmark's own migrated database and returns its URL. */
  database(): Promise<string>;
  /** A progress line on stdout. */
  log(message: string): void;
}

/** One line of the results table. */
export interface Row {
  subject: string;
  /** Throughput or the measured value, already formatted (e.g. "12,345 req/s", "1.23 s"). */
  value: string;
  p50?: number;
  p99?: number;
  ratio?: number;
  target?: string;
  result?: Verdict;
}

export type Verdict = 'PASS' | 'MISS' | 'SKIP' | 'ERROR';

export interface BenchResult {
  name: string;
  title: string;
  target: string;
  result: Verdict;
  rows: Row[];
  notes: string[];
  /** Everything measured, for bench/results/<name>.json. */
  details: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  title: string;
  target: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export function verdict(pass: boolean): Verdict {
  return pass ? 'PASS' : 'MISS';
}
