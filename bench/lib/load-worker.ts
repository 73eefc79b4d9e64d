// The load generator: a process of its own, started by load.ts with a spec file and a
// result file. Runs an unmeasured warm-up, then the measured run, with autocannon.
import autocannon from 'autocannon';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LoadResult, LoadSpec } from './load.js';
import { summarize } from './stats.js';

const [specFile, resultFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as LoadSpec;

function readNames(file: string): string[] {
  const names = JSON.parse(readFileSync(file, 'utf8')) as string[];
  if (!names.length) throw new Error(`${file} names no app`);
  return names;
}

const ON = JSON.stringify({ maintenance: true });
const OFF = JSON.stringify({ maintenance: false });
/** Survives from the warm-up into the measured run, so every request keeps flipping. */
let toggles = 0;

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Random names without building a request per request (which costs autocannon more than
 * a bare server spends answering it): the names are shuffled and dealt out, each connection
 * cycling through its own share of prebuilt requests. Every name is asked for, in an order
 * that is random across connections.
 */
function randomNamesClient(): ((client: autocannon.Client) => void) | undefined {
  if (!spec.randomNames) return undefined;
  const { pathPrefix } = spec.randomNames;
  const names = shuffle(readNames(spec.randomNames.namesFile));
  const share = Math.ceil(names.length / spec.connections);
  let dealt = 0;
  return (client) => {
    const start = (dealt++ % spec.connections) * share;
    const mine = names.slice(start, start + share);
    client.setRequests((mine.length ? mine : names).map((name) => ({ path: pathPrefix + name })));
  };
}

function requests(): autocannon.Request[] | undefined {
  if (spec.toggleMaintenance) {
    const names = readNames(spec.toggleMaintenance.namesFile);
    const prefix = spec.toggleMaintenance.pathPrefix;
    // Request i flips app i mod n: on in even rounds over the names, off in odd ones. With
    // far fewer connections than names, one app is never in two requests at once.
    return [
      {
        setupRequest: (request) => {
          const i = toggles++;
          request.path = prefix + names[i % names.length];
          request.body = Math.floor(i / names.length) % 2 === 0 ? ON : OFF;
          return request;
        },
      },
    ];
  }
  return undefined;
}

interface Run {
  result: autocannon.Result;
  latencies: number[];
  statusCounts: Record<string, number>;
  bytes: number;
  seconds: number;
}

function run(duration: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const statusCounts: Record<string, number> = {};
    let bytes = 0;
    const requestList = requests();
    const setupClient = randomNamesClient();
    const started = performance.now();
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration,
        method: spec.method ?? 'GET',
        headers: spec.headers ?? {},
        ...(spec.path ? { url: spec.url + spec.path } : {}),
        ...(requestList ? { requests: requestList } : {}),
        ...(setupClient ? { setupClient } : {}),
        timeout: 10,
      },
      (error, result) => {
        if (error) reject(error);
        else
          resolve({
            result,
            latencies,
            statusCounts,
            bytes,
            seconds: (performance.now() - started) / 1000,
          });
      },
    );
    instance.on('response', (_client, statusCode, responseBytes, responseTime) => {
      latencies.push(responseTime);
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      bytes += responseBytes;
    });
  });
}

async function main(): Promise<void> {
  if (spec.warmup > 0) await run(spec.warmup);
  const cpu = process.cpuUsage();
  const measured = await run(spec.duration);
  const used = process.cpuUsage(cpu);
  const result: LoadResult = {
    requests: measured.latencies.length,
    seconds: measured.seconds,
    rps: measured.latencies.length / measured.seconds,
    latency: summarize(measured.latencies),
    statusCounts: measured.statusCounts,
    errors: measured.result.errors,
    timeouts: measured.result.timeouts,
    bytes: measured.bytes,
    loaderCores: (used.user + used.system) / 1e6 / measured.seconds,
  };
  writeFileSync(resultFile, JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
