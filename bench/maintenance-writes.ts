// maintenance-writes: PATCH /apps/{app} {"maintenance": ...} flipping 1,000 apps, 16
// connections, each change durable with its event. Baseline: the same SQL (the app's
// lookup, then the statement that locks the row, updates it, inserts the event under the
// event-order lock and notifies) with the `pg` driver from 16 clients, run before any API
// process exists so no replica is listening to its notifies.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { throughputResult } from './lib/compare.js';
import type { Benchmark } from './lib/context.js';
import { cpuOf, startApi } from './lib/drydock.js';
import { LoadResult, runLoad } from './lib/load.js';
import { withClient } from './lib/postgres.js';
import { cpuMeter, logTail, spawnNode } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { benchScript } from './lib/settings.js';
import type { SqlWritersSpec } from './servers/sql-writers.js';

const APPS = 1_000;
const CONNECTIONS = 16;
const MIN_RATIO = 0.5;

function perResponse(cores: number, result: LoadResult) {
  return { cores, microsPerResponse: (cores / result.rps) * 1e6 };
}

const benchmark: Benchmark = {
  name: 'maintenance-writes',
  title: `PATCH /apps/{app} toggling maintenance across ${APPS.toLocaleString('en-US')} apps, ${CONNECTIONS} connections`,
  target: `ratio >= ${MIN_RATIO.toFixed(2)}`,
  async run(ctx) {
    const database = await ctx.database();
    const names = appNames('app-', APPS);
    await seedApps(database, { names, dynos: 'up', encryptionKey: ctx.settings.encryptionKey });
    const namesFile = path.join(ctx.logDir, 'names.json');
    await writeFile(namesFile, JSON.stringify(names));
    const allOff = () =>
      withClient(database, (client) => client.query('UPDATE apps SET maintenance = false'));
    const headVersion = () =>
      withClient(database, async (client) => {
        const { rows } = await client.query<{ version: string }>(
          'SELECT coalesce(max(version), 0) AS version FROM events',
        );
        return Number(rows[0].version);
      });

    await allOff();
    const spec: SqlWritersSpec = {
      databaseUrl: database,
      namesFile,
      clients: CONNECTIONS,
      duration: ctx.settings.duration,
      warmup: ctx.settings.warmup,
    };
    const specFile = path.join(ctx.logDir, 'sql-writers.spec.json');
    const resultFile = path.join(ctx.logDir, 'sql-writers.result.json');
    await writeFile(specFile, JSON.stringify(spec));
    ctx.log(
      `  load baseline: ${CONNECTIONS} pg clients, ${spec.warmup} s warm-up + ${spec.duration} s, same SQL as drydock`,
    );
    const basePostgres = cpuMeter(() => ctx.pg.cpuSeconds() ?? 0);
    const writers = spawnNode('baseline-pg', benchScript('servers/sql-writers.js'), {
      logDir: ctx.logDir,
      args: [specFile, resultFile],
    });
    const code = await writers.exited;
    if (code !== 0)
      throw new Error(`the pg baseline failed (exit ${code}):\n${logTail(writers.logFile)}`);
    const basePostgresCores = basePostgres();
    const base = JSON.parse(await readFile(resultFile, 'utf8')) as LoadResult;
    if (ctx.pg.cpuSeconds() !== undefined) {
      base.serverCpu = { postgres: perResponse(basePostgresCores, base) };
    }

    await allOff();
    const api = await startApi(ctx, database);
    const before = await headVersion();
    const drydockPostgres = cpuMeter(() => ctx.pg.cpuSeconds() ?? 0);
    const drydock = await runLoad(
      ctx,
      'drydock',
      {
        url: api.url,
        connections: CONNECTIONS,
        duration: ctx.settings.duration,
        warmup: ctx.settings.warmup,
        method: 'PATCH',
        headers: {
          Authorization: `Bearer ${ctx.settings.adminToken}`,
          Accept: 'application/vnd.heroku+json; version=3',
          'Content-Type': 'application/json',
        },
        toggleMaintenance: { namesFile, pathPrefix: '/apps/' },
      },
      cpuOf(api),
    );
    const drydockPostgresCores = drydockPostgres();
    if (ctx.pg.cpuSeconds() !== undefined) {
      drydock.serverCpu = {
        ...drydock.serverCpu,
        postgres: perResponse(drydockPostgresCores, drydock),
      };
    }
    // Every answered change has its event (warm-up included, hence "at least").
    const events = (await headVersion()) - before;

    return throughputResult(
      benchmark,
      { subject: 'drydock API', result: drydock, expectStatus: 200 },
      { subject: 'bare pg, same SQL', result: base, expectStatus: 200 },
      MIN_RATIO,
      { apps: APPS, connections: CONNECTIONS, eventsWrittenByApi: events },
      events < drydock.requests
        ? [`only ${events} events for ${drydock.requests} answered changes`]
        : [],
    );
  },
};

export default benchmark;
