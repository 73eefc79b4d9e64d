// router-proxy: the reference router proxying to an app's web dyno (a tiny node:http server
// registered through the dyno-manager API as web.1, up at its address), 50 connections.
// Baseline: the same upstream hit directly. Reference: a Node TCP relay to the same
// upstream with no HTTP parsing (bench/servers/tcp-relay.ts), what bounds any Node router.
import { throughputResult, withReference } from './lib/compare.js';
import type { Benchmark } from './lib/context.js';
import { cpuOf, createRouterToken, startApi, startHelper, startRouter } from './lib/drydock.js';
import { apiCall } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { freePort } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { benchScript, routerBuilt } from './lib/settings.js';
import { ROUTER_NOT_BUILT, skipped } from './lib/skip.js';

const CONNECTIONS = 50;
const MIN_RATIO = 0.5;
const APP = 'proxyapp';
const HOST = `${APP}.localhost`;

const benchmark: Benchmark = {
  name: 'router-proxy',
  title: `reference router proxying to an upstream web dyno, ${CONNECTIONS} connections`,
  target: `ratio >= ${MIN_RATIO.toFixed(2)}`,
  async run(ctx) {
    if (!routerBuilt()) return skipped(benchmark, ROUTER_NOT_BUILT);
    const database = await ctx.database();
    await seedApps(database, {
      names: [APP, ...appNames('app-', 999)],
      dynos: 'starting',
      encryptionKey: ctx.settings.encryptionKey,
    });
    const upstream = await startHelper(
      ctx,
      'upstream',
      benchScript('servers/upstream.js'),
      [],
      await freePort(),
      {
        status: 200,
      },
    );
    const api = await startApi(ctx, database);
    const dynos = await apiCall<{ name: string; generation: number }[]>(
      api.url,
      ctx.settings.adminToken,
      'GET',
      `/dyno-manager/v1/apps/${APP}/dynos`,
    );
    await apiCall(
      api.url,
      ctx.settings.adminToken,
      'PUT',
      `/dyno-manager/v1/apps/${APP}/dynos/web.1/state`,
      {
        state: 'up',
        generation: dynos.find((dyno) => dyno.name === 'web.1')?.generation ?? 1,
        address: `127.0.0.1:${upstream.port}`,
      },
    );
    const token = await createRouterToken(ctx, api);
    const router = await startRouter(ctx, api, token, { host: HOST, status: 200 });

    const load = {
      connections: CONNECTIONS,
      duration: ctx.settings.duration,
      warmup: ctx.settings.warmup,
      headers: { Host: HOST },
    };
    const direct = await runLoad(ctx, 'upstream', { ...load, url: upstream.url }, cpuOf(upstream));
    const routed = await runLoad(
      ctx,
      'router',
      { ...load, url: router.url },
      cpuOf(router, upstream),
    );
    await router.child.stop();
    const relay = await startHelper(
      ctx,
      'tcp-relay',
      benchScript('servers/tcp-relay.js'),
      [String(upstream.port)],
      await freePort(),
      { status: 200 },
    );
    const relayed = await runLoad(
      ctx,
      'tcp-relay',
      { ...load, url: relay.url },
      cpuOf(relay, upstream),
    );

    return withReference(
      throughputResult(
        benchmark,
        { subject: 'router → upstream', result: routed, expectStatus: 200 },
        { subject: 'upstream directly', result: direct, expectStatus: 200 },
        MIN_RATIO,
        { connections: CONNECTIONS },
      ),
      { subject: 'bare Node TCP relay → upstream', result: relayed, expectStatus: 200 },
      direct,
    );
  },
};

export default benchmark;
