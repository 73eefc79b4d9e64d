// propagation: 100 SSE watchers on a second API process; 1,000 maintenance changes through
// the first; the latency from each PATCH response to each watcher receiving its event.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark } from './lib/context.js';
import { formatRate } from './lib/compare.js';
import { createRouterToken, startApi } from './lib/drydock.js';
import { spawnNode } from './lib/processes.js';
import { appNames, seedApps } from './lib/seed.js';
import { benchScript } from './lib/settings.js';
import { round, summarize } from './lib/stats.js';
import type { CollectMessage, WatcherTimes, WatchersMessage } from './servers/sse-watchers.js';

const APPS = 500;
const WATCHERS = 100;
const CHANGES = 1_000;
const MAX_P99_MS = 50;

/** Wall clock in milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

interface Change {
  app: string;
  enable: boolean;
  key: string;
  answeredAt: number;
}

/** Sends every change with `concurrency` requests in flight; notes when each answer ended. */
async function sendChanges(baseUrl: string, token: string, changes: Change[], concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const failures: string[] = [];
  const one = (change: Change) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ maintenance: change.enable });
      const request = http.request(
        `${baseUrl}/apps/${change.app}`,
        {
          method: 'PATCH',
          agent,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/vnd.heroku+json; version=3',
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(body)),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            change.answeredAt = now();
            if (response.statusCode !== 200) failures.push(`${change.key}: ${response.statusCode}`);
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < changes.length) await one(changes[next++]);
    }),
  );
  const seconds = (now() - started) / 1000;
  agent.destroy();
  return { seconds, failures };
}

const benchmark: Benchmark = {
  name: 'propagation',
  title: `${WATCHERS} SSE watchers on a second API process, ${CHANGES.toLocaleString('en-US')} maintenance changes through the first`,
  target: `p99 <= ${MAX_P99_MS} ms, 0 lost`,
  async run(ctx) {
    const database = await ctx.database();
    const names = appNames('app-', APPS);
    await seedApps(database, { names, dynos: 'up', encryptionKey: ctx.settings.encryptionKey });
    const [writer, reader] = await Promise.all([
      startApi(ctx, database, 'api-a'),
      startApi(ctx, database, 'api-b'),
    ]);
    const token = await createRouterToken(ctx, writer);

    const watchers = spawnNode('watchers', benchScript('servers/sse-watchers.js'), {
      logDir: ctx.logDir,
      args: [reader.url, token, String(WATCHERS)],
      ipc: true,
    });
    const messages: WatchersMessage[] = [];
    watchers.process.on('message', (message: WatchersMessage) => messages.push(message));
    const receive = async (type: WatchersMessage['type'], timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const message of messages) {
          if (message.type === 'failed') throw new Error(`watchers: ${message.message}`);
          if (message.type === type) return message;
        }
        if (Date.now() > deadline || watchers.hasExited()) {
          throw new Error(`watchers did not send ${type} within ${timeoutMs} ms`);
        }
        await sleep(20);
      }
    };
    await receive('ready', 30_000);

    // Each app is switched on, then (after all the others) off again: 2 × 500 changes.
    const changes: Change[] = Array.from({ length: CHANGES }, (_, i) => {
      const app = names[i % APPS];
      const enable = i < APPS;
      return {
        app,
        enable,
        key: `maintenance.${enable ? 'enable' : 'disable'}:${app}`,
        answeredAt: NaN,
      };
    });
    const concurrency = ctx.settings.propagationConcurrency;
    ctx.log(
      `  ${CHANGES} changes through ${writer.name} (${concurrency} in flight), ${WATCHERS} watchers on ${reader.name}`,
    );
    const sent = await sendChanges(writer.url, ctx.settings.adminToken, changes, concurrency);

    const collect: CollectMessage = { type: 'collect', expected: CHANGES, timeoutMs: 10_000 };
    watchers.process.send(collect);
    const report = await receive('report', 30_000);
    const perWatcher = report.type === 'report' ? report.watchers : ([] as WatcherTimes[]);

    const latencies: number[] = [];
    let lost = 0;
    let duplicated = 0;
    for (const times of perWatcher) {
      for (const change of changes) {
        const received = times[change.key];
        if (!received?.length) {
          lost++;
          continue;
        }
        latencies.push(received[0] - change.answeredAt);
        duplicated += received.length - 1;
      }
    }
    lost += (WATCHERS - perWatcher.length) * CHANGES;
    const latency = summarize(latencies);
    const expected = WATCHERS * CHANGES;
    const pass = latency.p99 <= MAX_P99_MS && lost === 0 && sent.failures.length === 0;
    const notes: string[] = [];
    if (sent.failures.length)
      notes.push(`${sent.failures.length} PATCHes failed: ${sent.failures.slice(0, 3).join('; ')}`);
    if (duplicated) notes.push(`${duplicated} events delivered more than once`);
    if (latency.min < 0) {
      notes.push(
        `${latencies.filter((l) => l < 0).length} deliveries arrived before the PATCH answer (min ${round(latency.min)} ms)`,
      );
    }
    return {
      name: benchmark.name,
      title: benchmark.title,
      target: benchmark.target,
      result: pass ? 'PASS' : 'MISS',
      rows: [
        {
          subject: `${WATCHERS} watchers, API B`,
          value: formatRate(CHANGES / sent.seconds, 'changes/s'),
          p50: latency.p50,
          p99: latency.p99,
          target: benchmark.target,
          result: pass ? 'PASS' : 'MISS',
        },
        {
          subject: 'lost / duplicated',
          value: `${lost} / ${duplicated} of ${expected.toLocaleString('en-US')}`,
        },
      ],
      notes,
      details: {
        apps: APPS,
        watchers: WATCHERS,
        changes: CHANGES,
        concurrency,
        sendSeconds: sent.seconds,
        latency,
        lost,
        duplicated,
        deliveries: latencies.length,
      },
    };
  },
};

export default benchmark;
