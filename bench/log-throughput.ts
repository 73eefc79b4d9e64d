// log-throughput: lines per second from the reference router (H80 lines of an app in
// maintenance, under load) and the dyno manager (a dyno printing lines) to one `heroku logs
// --tail` session, and the delay from each line's time to its arrival at the tail.
// Reference, same run: the lines the sources produced (requests answered, lines printed).
import type { Benchmark, Row } from './lib/context.js';
import {
  cpuOf,
  createRouterToken,
  startApi,
  startDynoManager,
  startRouter,
} from './lib/drydock.js';
import { apiCall } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { waitUntil } from './lib/processes.js';
import { routerBuilt } from './lib/settings.js';
import { ROUTER_NOT_BUILT, skipped } from './lib/skip.js';
import { round, summarize } from './lib/stats.js';

const APP = 'chatty';
const HOST = `${APP}.localhost`;
const CONNECTIONS = 20;
/** The dyno prints this many lines every 10 ms: 2,000 lines a second. */
const LINES_PER_TICK = 20;
const CHATTER = `node -e "let n=0;setInterval(()=>{let s='';for(let i=0;i<${LINES_PER_TICK};i++)s+='chatter '+(n++)+'\\\\n';process.stdout.write(s)},10)"`;
const P99_TARGET_MS = 1000;
const UNLIMITED = 1_000_000;
const STAMP = /^(\S+) (app|heroku)\[([^\]]+)\]: (.*)$/;

interface Arrivals {
  router: number[];
  app: number[];
  chatterSeen: Set<number>;
}

/** Follows a tail session's SSE stream, noting each line's delay from its own timestamp. */
async function follow(url: string, signal: AbortSignal, arrivals: Arrivals): Promise<void> {
  const response = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal });
  if (response.status !== 200 || !response.body)
    throw new Error(`tail answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const now = Date.now();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (!line.startsWith('data: ')) continue;
        const match = STAMP.exec(line.slice(6));
        if (!match) continue;
        const delay = now - Date.parse(match[1]);
        if (match[3] === 'router') arrivals.router.push(delay);
        else if (match[2] === 'app' && match[4].startsWith('chatter ')) {
          arrivals.app.push(delay);
          arrivals.chatterSeen.add(Number(match[4].slice(8)));
        }
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

const benchmark: Benchmark = {
  name: 'log-throughput',
  title: `router (${CONNECTIONS} connections, H80) and a dyno (2,000 lines/s) to one --tail`,
  target: `p99 delivery <= ${P99_TARGET_MS} ms`,
  async run(ctx) {
    if (!routerBuilt()) return skipped(benchmark, ROUTER_NOT_BUILT);
    const database = await ctx.database();
    const api = await startApi(ctx, database);
    const admin = ctx.settings.adminToken;
    const call = <T>(method: string, route: string, body?: unknown) =>
      apiCall<T>(api.url, admin, method, route, body);
    await call('POST', '/apps', { name: APP, process_types: { web: 'true', chatter: CHATTER } });
    await call('PATCH', `/apps/${APP}/formation/web`, { quantity: 0 });
    await call('PATCH', `/apps/${APP}/maintenance`, { enabled: true });
    // The per-app and per-dyno limits (1,000 lines/s by default) raised: this measures the pipeline.
    const router = await startRouter(
      ctx,
      api,
      await createRouterToken(ctx, api),
      { host: HOST, status: 503 },
      'router',
      { ROUTER_LOG_LINES_PER_SECOND: String(UNLIMITED) },
    );
    const manager = await startDynoManager(ctx, api, admin, {
      DYNO_MANAGER_LOG_LINES_PER_SECOND: String(UNLIMITED),
    });

    const session = await call<{ logplex_url: string }>('POST', `/apps/${APP}/log-sessions`, {
      tail: true,
      lines: 0,
    });
    const arrivals: Arrivals = { router: [], app: [], chatterSeen: new Set() };
    const controller = new AbortController();
    const following = follow(session.logplex_url, controller.signal, arrivals);

    await call('PATCH', `/apps/${APP}/formation/chatter`, { quantity: 1 });
    await waitUntil('the dyno to print', async () => arrivals.app.length > 0, {
      timeoutMs: 60_000,
      child: manager,
    });
    const appBefore = arrivals.app.length;
    const routerBefore = arrivals.router.length;
    const startedAt = Date.now();
    const load = await runLoad(
      ctx,
      'router',
      {
        url: router.url,
        connections: CONNECTIONS,
        duration: ctx.settings.duration,
        warmup: 0,
        headers: { Host: HOST },
      },
      cpuOf(router, api),
    );
    // Lines still in flight when the load stops: give them the target's time to arrive.
    const answered = load.statusCounts['503'] ?? 0;
    await waitUntil(
      'the router lines to arrive',
      async () => arrivals.router.length - routerBefore >= answered,
      { timeoutMs: 5000 },
    ).catch(() => undefined);
    // Lines counted from the load's start until now: rates over that time, not the load's alone.
    const seconds = (Date.now() - startedAt) / 1000;
    controller.abort();
    await following;
    await call('PATCH', `/apps/${APP}/formation/chatter`, { quantity: 0 });
    await manager.stop(60_000);
    await router.child.stop();
    await api.child.stop();

    const routerDelays = arrivals.router.slice(routerBefore);
    const appDelays = arrivals.app.slice(appBefore);
    const seen = arrivals.chatterSeen;
    const printedMax = Math.max(...seen);
    const chatterLost = printedMax + 1 - seen.size;
    const rows: Row[] = [];
    let pass = true;
    for (const [subject, delays, produced] of [
      ['heroku[router] lines (H80)', routerDelays, answered],
      ['app[chatter.1] lines', appDelays, appDelays.length + chatterLost],
    ] as const) {
      const latency = summarize(delays);
      const ok = delays.length > 0 && latency.p99 <= P99_TARGET_MS;
      pass &&= ok;
      rows.push({
        subject,
        value: `${Math.round(delays.length / seconds)} lines/s`,
        p50: round(latency.p50),
        p99: round(latency.p99),
        ratio: produced ? delays.length / produced : 0,
        target: `p99 <= ${P99_TARGET_MS} ms`,
        result: ok ? 'PASS' : 'MISS',
      });
    }
    return {
      name: benchmark.name,
      title: benchmark.title,
      target: benchmark.target,
      result: pass ? 'PASS' : 'MISS',
      rows,
      notes: [
        'Delay: arrival at the tail minus the time in the line (when the router answered, or the manager read the dyno’s output).',
        'The router’s per-app and the manager’s per-dyno line limits (1,000/s by default) are raised to 1,000,000/s here.',
        `Ratio: lines that reached the tail over lines produced (${answered} requests answered; chatter lines numbered, ${chatterLost} missing).`,
      ],
      details: { load, routerLines: routerDelays.length, appLines: appDelays.length, chatterLost },
    };
  },
};

export default benchmark;
