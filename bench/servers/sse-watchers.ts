// The watchers of propagation: N Server-Sent Events clients of GET /routing/v1/watch in one
// process, each noting when (wall clock, sub-millisecond: performance.timeOrigin + now())
// every change reached it. Driven over IPC by the harness:
//   child -> parent {type: 'ready'} once every stream is open
//   parent -> child {type: 'collect', expected, timeoutMs}: wait until every watcher has
//   `expected` changes (or the timeout), then child -> parent {type: 'report', watchers}.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export type WatcherTimes = Record<string, number[]>;

export type WatchersMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'report'; watchers: WatcherTimes[] };

export interface CollectMessage {
  type: 'collect';
  expected: number;
  timeoutMs: number;
}

const [baseUrl, token, countArg] = process.argv.slice(2);
const count = Number(countArg);
// The head drydock writes first in each message: version, action, app_id, app_name.
const HEAD =
  /^data: \{"version":\d+,"action":"([^"]+)","app_id":(?:null|"[^"]*"),"app_name":"([^"]*)"/m;

interface Watcher {
  times: WatcherTimes;
  received: number;
}

const watchers: Watcher[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
let open = 0;

function send(message: WatchersMessage): void {
  process.send?.(message);
}

function watch(watcher: Watcher): void {
  const request = http.get(
    `${baseUrl}/routing/v1/watch`,
    { agent, headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } },
    (response) => {
      if (response.statusCode !== 200) {
        send({ type: 'failed', message: `watch answered ${response.statusCode}` });
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      let first = true;
      response.on('data', (chunk: string) => {
        const now = performance.timeOrigin + performance.now();
        if (first) {
          first = false;
          if (++open === count) send({ type: 'ready' });
        }
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const match = HEAD.exec(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!match) continue;
          const key = `${match[1]}:${match[2]}`;
          (watcher.times[key] ??= []).push(now);
          watcher.received++;
        }
      });
      response.on('end', () => send({ type: 'failed', message: 'a watch stream ended' }));
    },
  );
  request.on('error', (error) => send({ type: 'failed', message: error.message }));
}

for (let i = 0; i < count; i++) {
  const watcher: Watcher = { times: {}, received: 0 };
  watchers.push(watcher);
  watch(watcher);
}

process.on('message', (message: CollectMessage) => {
  if (message.type !== 'collect') return;
  const deadline = Date.now() + message.timeoutMs;
  const check = () => {
    if (watchers.every((w) => w.received >= message.expected) || Date.now() > deadline) {
      send({ type: 'report', watchers: watchers.map((w) => w.times) });
      return;
    }
    setTimeout(check, 20);
  };
  check();
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
