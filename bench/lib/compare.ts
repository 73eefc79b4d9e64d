import type { Benchmark, BenchResult, Row } from './context.js';
import { LoadResult, loadProblems } from './load.js';
import { round } from './stats.js';

export function formatRate(perSecond: number, unit = 'req/s'): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} ${unit}`;
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

interface Measured {
  subject: string;
  result: LoadResult;
  expectStatus: number;
}

/** "subject: api 12 µs/response (0.95 cores), load generator 0.98 cores", or ''. */
function cpuUse(subject: string, result: LoadResult): string {
  const servers = Object.entries(result.serverCpu ?? {}).map(
    ([name, use]) =>
      `${name} ${Math.round(use.microsPerResponse)} µs/response (${use.cores.toFixed(2)} cores)`,
  );
  if (result.loaderCores !== undefined) {
    servers.push(`load generator ${result.loaderCores.toFixed(2)} cores`);
  }
  return servers.length ? `${subject}: ${servers.join(', ')}` : '';
}

/** A table row of a load run: its throughput and latency. */
function rateRow({ subject, result }: Measured): Row {
  return {
    subject,
    value: formatRate(result.rps),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/**
 * The verdict of a throughput benchmark: drydock's rate over the baseline's, measured in
 * the same run, against `minRatio`. A run with errors or unexpected statuses is a MISS.
 */
export function throughputResult(
  bench: Benchmark,
  runs: Measured,
  baseline: Measured,
  minRatio: number,
  details: Record<string, unknown> = {},
  notes: string[] = [],
): BenchResult {
  const ratio = runs.result.rps / baseline.result.rps;
  const problems = [
    ...loadProblems(runs.subject, runs.result, runs.expectStatus),
    ...loadProblems(baseline.subject, baseline.result, baseline.expectStatus),
  ];
  const pass = ratio >= minRatio && problems.length === 0;
  const cpu = [runs, baseline]
    .map(({ subject, result }) => cpuUse(subject, result))
    .filter(Boolean)
    .join('; ');
  return {
    name: bench.name,
    title: bench.title,
    target: bench.target,
    result: pass ? 'PASS' : 'MISS',
    rows: [
      {
        ...rateRow(runs),
        ratio: round(ratio, 2),
        target: bench.target,
        result: pass ? 'PASS' : 'MISS',
      },
      rateRow(baseline),
    ],
    notes: [...notes, ...problems, ...(cpu ? [`CPU: ${cpu}`] : [])],
    details: {
      ratio,
      minRatio,
      [runs.subject]: runs.result,
      [baseline.subject]: baseline.result,
      ...details,
    },
  };
}

/**
 * Adds a row measured for context, with no target of its own: what bounds the subject
 * (e.g. the least any process of its kind can cost), as a ratio to the same baseline.
 */
export function withReference(
  result: BenchResult,
  reference: Measured,
  baseline: LoadResult,
): BenchResult {
  const ratio = reference.result.rps / baseline.rps;
  const cpu = cpuUse(reference.subject, reference.result);
  return {
    ...result,
    rows: [...result.rows, { ...rateRow(reference), ratio: round(ratio, 2) }],
    notes: [
      ...result.notes,
      ...loadProblems(reference.subject, reference.result, reference.expectStatus),
      ...(cpu ? [`CPU: ${cpu}`] : []),
    ],
    details: { ...result.details, [reference.subject]: reference.result },
  };
}
