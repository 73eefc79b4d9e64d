// Baseline of maintenance-writes: the SQL each maintenance PATCH runs in drydock, sent with
// the bare `pg` driver from N clients at once, for warm-up + duration seconds. Two
// statements, as in AppsService.update: the app's lookup with its owner, space and latest
// release (AppAccess), then drydock_set_maintenance, which locks the row, updates it, keeps
// the switch in the history, takes the event-order lock, inserts the event and notifies,
// and commits on its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { LoadResult } from '../lib/load.js';
import { APP_WITH_RELATIONS_SQL, SET_MAINTENANCE_SQL } from '../../src/store/app.sql.js';
import { summarize } from '../lib/stats.js';

export interface SqlWritersSpec {
  databaseUrl: string;
  namesFile: string;
  clients: number;
  duration: number;
  warmup: number;
}

const [specFile, resultFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as SqlWritersSpec;
const names = JSON.parse(readFileSync(spec.namesFile, 'utf8')) as string[];

let next = 0;
const latencies: number[] = [];
const statusCounts: Record<string, number> = {};

// Exactly the SQL drydock sends: AppAccess.find's lookup, then MaintenanceRepository.set.
const LOOKUP = `${APP_WITH_RELATIONS_SQL} WHERE a.name = $2`;

async function change(client: pg.Client, actorId: string, name: string, enabled: boolean) {
  const { rows } = await client.query<{ id: string }>(LOOKUP, [actorId, name]);
  const app = rows[0];
  if (!app) throw new Error(`no app ${name}`);
  const set = await client.query(SET_MAINTENANCE_SQL, [
    app.id,
    enabled,
    actorId,
    null,
    'api',
    null,
  ]);
  if (set.rowCount !== 1) throw new Error(`app ${name} vanished`);
}

async function writer(actorId: string, measureFrom: number, until: number): Promise<number> {
  const client = new pg.Client({ connectionString: spec.databaseUrl });
  await client.connect();
  let lastEnd = 0;
  try {
    while (performance.now() < until) {
      // Change i flips app i mod n, as the HTTP load does.
      const i = next++;
      const started = performance.now();
      await change(
        client,
        actorId,
        names[i % names.length],
        Math.floor(i / names.length) % 2 === 0,
      );
      const ended = performance.now();
      if (started >= measureFrom) {
        latencies.push(ended - started);
        statusCounts['200'] = (statusCounts['200'] ?? 0) + 1;
        lastEnd = Math.max(lastEnd, ended);
      }
    }
  } finally {
    await client.end();
  }
  return lastEnd;
}

async function main(): Promise<void> {
  const setup = new pg.Client({ connectionString: spec.databaseUrl });
  await setup.connect();
  const { rows } = await setup.query<{ id: string }>(
    'SELECT owner_id AS id FROM apps WHERE name = $1',
    [names[0]],
  );
  await setup.end();
  const start = performance.now();
  let cpu = process.cpuUsage();
  const measureFrom = start + spec.warmup * 1000;
  const until = measureFrom + spec.duration * 1000;
  setTimeout(() => (cpu = process.cpuUsage()), spec.warmup * 1000);
  const ends = await Promise.all(
    Array.from({ length: spec.clients }, () => writer(rows[0].id, measureFrom, until)),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (Math.max(...ends) - measureFrom) / 1000;
  const result: LoadResult = {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    latency: summarize(latencies),
    statusCounts,
    errors: 0,
    timeouts: 0,
    bytes: 0,
    loaderCores: (used.user + used.system) / 1e6 / seconds,
  };
  writeFileSync(resultFile, JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
