// routing-lookup: authenticated GET /routing/v1/apps/{name} over 10,000 apps, 50 connections,
// a random app per request. Baseline: a bare Fastify server answering the same JSON from a Map.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { throughputResult } from './lib/compare.js';
import type { Benchmark } from './lib/context.js';
import { cpuOf, createRouterToken, startApi, startHelper } from './lib/drydock.js';
import { apiCall, rawRequest } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { freePort } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { benchScript } from './lib/settings.js';

const APPS = 10_000;
const CONNECTIONS = 50;
const MIN_RATIO = 0.7;
const PATH = '/routing/v1/apps/';

const benchmark: Benchmark = {
  name: 'routing-lookup',
  title: `authenticated GET ${PATH}{name} over ${APPS.toLocaleString('en-US')} apps, ${CONNECTIONS} connections`,
  target: `ratio >= ${MIN_RATIO.toFixed(2)}`,
  async run(ctx) {
    const database = await ctx.database();
    const names = appNames('app-', APPS);
    ctx.log(`  seeding ${APPS} apps`);
    await seedApps(database, { names, dynos: 'up', encryptionKey: ctx.settings.encryptionKey });
    const api = await startApi(ctx, database);
    const token = await createRouterToken(ctx, api);

    // The baseline serves exactly the bytes drydock serves: its entries, from its snapshot.
    const snapshot = await apiCall<{ apps: { name: string }[] }>(
      api.url,
      token,
      'GET',
      '/routing/v1/snapshot',
    );
    if (snapshot.apps.length !== APPS) {
      throw new Error(`the snapshot has ${snapshot.apps.length} apps, expected ${APPS}`);
    }
    const entries = Object.fromEntries(
      snapshot.apps.map((entry) => [entry.name, JSON.stringify(entry)]),
    );
    const auth = { Authorization: `Bearer ${token}` };
    const sample = await rawRequest(`${api.url}${PATH}${names[0]}`, { headers: auth });
    const notes: string[] = [];
    if (sample.body.toString('utf8') !== entries[names[0]]) {
      notes.push('baseline JSON differs from the lookup answer (compared for one app)');
    }
    const entriesFile = path.join(ctx.logDir, 'entries.json');
    const namesFile = path.join(ctx.logDir, 'names.json');
    await writeFile(entriesFile, JSON.stringify(entries));
    await writeFile(namesFile, JSON.stringify(names));

    const baseline = await startHelper(
      ctx,
      'baseline-fastify',
      benchScript('servers/fastify-json.js'),
      [entriesFile],
      await freePort(),
      { path: `${PATH}${names[0]}`, status: 200 },
    );
    const load = {
      connections: CONNECTIONS,
      duration: ctx.settings.duration,
      warmup: ctx.settings.warmup,
      headers: auth,
      randomNames: { namesFile, pathPrefix: PATH },
    };
    const base = await runLoad(ctx, 'baseline', { ...load, url: baseline.url }, cpuOf(baseline));
    await baseline.child.stop();
    const drydock = await runLoad(ctx, 'drydock', { ...load, url: api.url }, cpuOf(api));

    return throughputResult(
      benchmark,
      { subject: 'drydock API', result: drydock, expectStatus: 200 },
      { subject: 'bare Fastify + Map', result: base, expectStatus: 200 },
      MIN_RATIO,
      { apps: APPS, connections: CONNECTIONS, entryBytes: sample.body.length },
      notes,
    );
  },
};

export default benchmark;
