import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult, Row } from './context.js';
import { REPO_ROOT, RESULTS_DIR, type Settings } from './settings.js';

export interface Environment {
  date: string;
  commit: string | null;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  postgres: string;
  duration: number;
  warmup: number;
  apiLogLevel: string;
}

export function describeEnvironment(settings: Settings, postgres: string): Environment {
  let commit: string | null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    commit = null;
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    postgres,
    duration: settings.duration,
    warmup: settings.warmup,
    apiLogLevel: settings.logLevel,
  };
}

/** bench/results/<name>.json */
export async function writeResult(result: BenchResult, environment: Environment): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  await writeFile(file, `${JSON.stringify({ ...result, environment }, null, 2)}\n`);
  return file;
}

const HEADERS = [
  'benchmark',
  'subject',
  'throughput / value',
  'p50 ms',
  'p99 ms',
  'ratio',
  'target',
  'result',
];

function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '';
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function cells(name: string, row: Row): string[] {
  return [
    name,
    row.subject,
    row.value,
    ms(row.p50),
    ms(row.p99),
    row.ratio === undefined ? '' : row.ratio.toFixed(2),
    row.target ?? '',
    row.result ?? '',
  ];
}

/** The results as a Markdown table (readable in a terminal, pasteable into the README). */
export function formatTable(results: BenchResult[]): string {
  const lines: string[][] = [];
  for (const result of results) {
    result.rows.forEach((row, i) => lines.push(cells(i === 0 ? result.name : '', row)));
    if (result.rows.length === 0) {
      lines.push([result.name, '', '', '', '', '', result.target, result.result]);
    }
  }
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...lines.map((line) => line[column].length)),
  );
  const numeric = new Set([2, 3, 4, 5]);
  const render = (line: string[]) =>
    `| ${line
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (numeric.has(column) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [render(HEADERS), rule, ...lines.map(render)].join('\n');
}

export function formatNotes(results: BenchResult[]): string {
  return results
    .flatMap((result) => result.notes.map((note) => `- ${result.name}: ${note}`))
    .join('\n');
}
