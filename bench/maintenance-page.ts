// maintenance-page: the reference router serving the maintenance page (503) for an app in
// maintenance, 50 connections. Baseline: a bare Fastify server sending the same bytes.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { throughputResult } from './lib/compare.js';
import type { Benchmark } from './lib/context.js';
import { cpuOf, createRouterToken, startApi, startHelper, startRouter } from './lib/drydock.js';
import { rawRequest } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { freePort } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { benchScript, routerBuilt } from './lib/settings.js';
import { ROUTER_NOT_BUILT, skipped } from './lib/skip.js';
import type { CapturedResponse } from './servers/fastify-static.js';

const CONNECTIONS = 50;
const MIN_RATIO = 0.7;
const APP = 'myapp';
const HOST = `${APP}.localhost`;
/** Set by Node per response (or per request, X-Request-Id): not replayed byte for byte. */
const PER_RESPONSE = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'x-request-id',
]);

function replayable(rawHeaders: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!PER_RESPONSE.has(rawHeaders[i].toLowerCase()))
      pairs.push([rawHeaders[i], rawHeaders[i + 1]]);
  }
  return pairs;
}

const benchmark: Benchmark = {
  name: 'maintenance-page',
  title: `reference router serving the maintenance page, ${CONNECTIONS} connections`,
  target: `ratio >= ${MIN_RATIO.toFixed(2)}`,
  async run(ctx) {
    if (!routerBuilt()) return skipped(benchmark, ROUTER_NOT_BUILT);
    const database = await ctx.database();
    const names = [APP, ...appNames('app-', 999)];
    await seedApps(database, {
      names,
      inMaintenance: new Set([APP]),
      dynos: 'up',
      encryptionKey: ctx.settings.encryptionKey,
    });
    const api = await startApi(ctx, database);
    const token = await createRouterToken(ctx, api);
    const router = await startRouter(ctx, api, token, { host: HOST, status: 503 });

    const page = await rawRequest(`${router.url}/`, { headers: { Host: HOST } });
    const captured: CapturedResponse = {
      status: page.status,
      headers: replayable(page.rawHeaders),
      bodyBase64: page.body.toString('base64'),
    };
    const captureFile = path.join(ctx.logDir, 'maintenance-page.json');
    await writeFile(captureFile, JSON.stringify(captured));
    const baseline = await startHelper(
      ctx,
      'baseline-fastify',
      benchScript('servers/fastify-static.js'),
      [captureFile],
      await freePort(),
      { headers: { Host: HOST }, status: page.status },
    );
    const replay = await rawRequest(`${baseline.url}/`, { headers: { Host: HOST } });
    const notes: string[] = [];
    const headerNames = (raw: string[]) =>
      replayable(raw)
        .map(([name, value]) => `${name.toLowerCase()}: ${value}`)
        .sort()
        .join('\n');
    if (
      !replay.body.equals(page.body) ||
      headerNames(replay.rawHeaders) !== headerNames(page.rawHeaders)
    ) {
      notes.push('the baseline does not send the same bytes as the router');
    }

    const load = {
      connections: CONNECTIONS,
      duration: ctx.settings.duration,
      warmup: ctx.settings.warmup,
      headers: { Host: HOST },
    };
    const base = await runLoad(ctx, 'baseline', { ...load, url: baseline.url }, cpuOf(baseline));
    await baseline.child.stop();
    const routed = await runLoad(ctx, 'router', { ...load, url: router.url }, cpuOf(router));

    return throughputResult(
      benchmark,
      { subject: 'reference router', result: routed, expectStatus: 503 },
      { subject: 'bare Fastify, same bytes', result: base, expectStatus: 503 },
      MIN_RATIO,
      { connections: CONNECTIONS, pageBytes: page.body.length, pageHeaders: captured.headers },
      notes,
    );
  },
};

export default benchmark;
