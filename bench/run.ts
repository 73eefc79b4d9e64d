// `npm run bench [-- <name> ...]`: runs the benchmarks against the production build (dist/)
// on a real PostgreSQL, prints the results table and writes bench/results/<name>.json.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import dynoStart from './dyno-start.js';
import logThroughput from './log-throughput.js';
import maintenancePage from './maintenance-page.js';
import maintenanceWrites from './maintenance-writes.js';
import propagation from './propagation.js';
import routerProxy from './router-proxy.js';
import routingLookup from './routing-lookup.js';
import scale from './scale.js';
import windowTransitions from './window-transitions.js';
import type { BenchContext, Benchmark, BenchResult } from './lib/context.js';
import { PgServer } from './lib/postgres.js';
import { foreignLoad, killAllSync, stopAll } from './lib/processes.js';
import { describeEnvironment, formatNotes, formatTable, writeResult } from './lib/report.js';
import { API_MAIN, loadSettings } from './lib/settings.js';

const BENCHMARKS: Benchmark[] = [
  routingLookup,
  maintenanceWrites,
  propagation,
  maintenancePage,
  routerProxy,
  scale,
  dynoStart,
  logThroughput,
  windowTransitions,
];

function usage(): string {
  return [
    'usage: npm run bench [-- <name> ...]',
    '',
    ...BENCHMARKS.map((bench) => `  ${bench.name.padEnd(20)} ${bench.title}  [${bench.target}]`),
    '',
    'environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2),',
    '  BENCH_LOG_LEVEL (API LOG_LEVEL, default info), BENCH_CPU_PROF=1 (profiles in bench/results/profiles),',
    '  BENCH_KEEP=1 (keep temp dir and logs), BENCH_STRICT=1 (exit 1 on MISS),',
    '  BENCH_PROPAGATION_CONCURRENCY (default 8), DATABASE_URL (else embedded PostgreSQL)',
  ].join('\n');
}

function errorResult(bench: Benchmark, error: unknown): BenchResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    name: bench.name,
    title: bench.title,
    target: bench.target,
    result: 'ERROR',
    rows: [
      {
        subject: 'error',
        value: message.split('\n')[0].slice(0, 60),
        target: bench.target,
        result: 'ERROR',
      },
    ],
    notes: [message],
    details: { error: error instanceof Error ? (error.stack ?? message) : message },
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  if (args.includes('--help') || args.includes('-h') || args.includes('--list')) {
    console.log(usage());
    return 0;
  }
  const unknown = args.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}\n\n${usage()}`);
    return 2;
  }
  const selected = args.length
    ? BENCHMARKS.filter((bench) => args.includes(bench.name))
    : BENCHMARKS;
  if (!existsSync(API_MAIN)) {
    console.error(`${API_MAIN} is missing: run \`npm run build\` first.`);
    return 2;
  }

  const settings = loadSettings();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bench-'));
  const started: { pg?: PgServer } = {};
  let cleaned = false;
  // Whatever happens, no process and no database outlive the run.
  process.on('exit', () => {
    if (cleaned) return;
    killAllSync();
    started.pg?.killSync();
    if (!settings.keep) rmSync(tmpDir, { recursive: true, force: true });
  });

  const startedAt = Date.now();
  const pg = await PgServer.start(tmpDir);
  started.pg = pg;
  // After the embedded server started: it clears signal handlers when it starts.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping`);
      process.exit(130);
    });
  }
  const environment = describeEnvironment(settings, pg.description);
  console.log(
    `drydock benchmarks: ${environment.cpus} × ${environment.cpuModel}, ${environment.memoryGiB} GiB, node ${environment.node}, ${pg.description}`,
  );
  console.log(
    `each load run: ${settings.warmup} s warm-up + ${settings.duration} s measured; API LOG_LEVEL=${settings.logLevel}\n`,
  );

  const results: BenchResult[] = [];
  for (const bench of selected) {
    const started = Date.now();
    const logDir = path.join(tmpDir, bench.name);
    await mkdir(logDir, { recursive: true });
    const databaseName = `drydock_bench_${bench.name.replace(/-/g, '_')}`;
    let created = false;
    const ctx: BenchContext = {
      name: bench.name,
      settings,
      pg,
      tmpDir,
      logDir,
      database: async () => {
        created = true;
        return pg.createDatabase(databaseName);
      },
      log: (message) => console.log(message),
    };
    console.log(`▶ ${bench.name}: ${bench.title}`);
    const busy = await foreignLoad();
    if (busy > 0.2) {
      console.log(
        `  warning: other processes keep ${busy.toFixed(1)} cores busy; this benchmark's numbers will be noisy`,
      );
    }
    let result: BenchResult;
    try {
      result = await bench.run(ctx);
    } catch (error) {
      result = errorResult(bench, error);
    } finally {
      await stopAll();
      if (created) await pg.dropDatabase(databaseName).catch(() => undefined);
    }
    const seconds = (Date.now() - started) / 1000;
    result.details.seconds = seconds;
    result.details.otherProcessesCores = Math.round(busy * 100) / 100;
    if (busy > 0.2) {
      result.notes.unshift(
        `machine not quiet: other processes used ${busy.toFixed(1)} cores at the start`,
      );
    }
    const file = await writeResult(result, environment);
    console.log(
      `  ${result.result} (${seconds.toFixed(0)} s) → ${path.relative(process.cwd(), file)}`,
    );
    for (const note of result.notes) console.log(`  note: ${note}`);
    console.log('');
    results.push(result);
  }

  console.log(formatTable(results));
  const notes = formatNotes(results);
  if (notes) console.log(`\n${notes}`);
  console.log(
    `\n${selected.length} benchmark(s) in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  );

  await pg.stop();
  if (settings.keep) console.log(`kept ${tmpDir}`);
  else await rm(tmpDir, { recursive: true, force: true });
  cleaned = true;

  if (results.some((result) => result.result === 'ERROR')) return 1;
  if (process.env.BENCH_STRICT === '1' && results.some((result) => result.result === 'MISS'))
    return 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
