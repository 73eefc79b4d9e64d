import { request } from 'undici';
import { Backoff } from './backoff.js';
import { describeError } from './describe-error.js';
import { LineRateLimit } from './line-rate-limit.js';
import { Pause } from './pause.js';

export type LogSource = 'app' | 'heroku';

/** One line as `POST /logs/v1/lines` takes it (docs/logs.md). */
export interface LogLine {
  app_id: string;
  source: LogSource;
  dyno: string;
  time: string;
  message: string;
}

/** Where a component writes the lines of an app's log. */
export interface LogSink {
  push(appId: string, source: LogSource, dyno: string, message: string): void;
}

/** What was lost since the last report. */
export interface LogShipperLoss {
  /** Lines dropped, oldest first, because more than `maxLines` waited (or left at stop). */
  dropped: number;
  /** Lines of batches the control plane refused (a 4xx other than 429). */
  refused: number;
  /** The status of the last refusal, when there was one. */
  status?: number;
}

/** Lines since the start: pushed, delivered, dropped for room or time, refused by the API. */
export interface LogShipperStats {
  pushed: number;
  sent: number;
  dropped: number;
  refused: number;
}

export interface LogShipperOptions {
  /** Without a trailing slash. */
  baseUrl: string;
  token: string;
  /** Lines kept while the control plane is unreachable or slow; the oldest go beyond it. */
  maxLines?: number;
  /**
   * Lines a second one app's dyno (or router) may send; beyond it lines are dropped, and
   * the next that fits is preceded by an L12 line saying how many. Unset: no limit.
   */
  linesPerSecond?: number;
  /** The clock of the rate limit (tests move it by hand). */
  clock?: () => number;
  /** A batch goes out once this many lines wait... */
  flushLines?: number;
  /** ...or this long after the first of them arrived. */
  flushDelayMs?: number;
  /** Told what was lost, at most once per `reportIntervalMs`. */
  onLoss?: (loss: LogShipperLoss) => void;
  /** Told that batches are not getting through (and kept), at most once per `reportIntervalMs`. */
  onRetry?: (error: string, retryInMs: number) => void;
  reportIntervalMs?: number;
  /** A request that has not answered by then fails like a network error. */
  timeoutMs?: number;
  backoff?: Backoff;
}

/** The ingest API's limits (docs/logs.md): a message of 10,000 characters, 1,000 lines a batch. */
export const MAX_MESSAGE_LENGTH = 10_000;
export const MAX_BATCH_LINES = 1000;
/** Under the API's 1 MiB, for the envelope's slack. */
const MAX_BATCH_BYTES = 1_000_000;
/** A Retry-After beyond this is taken as this: lines should not wait minutes for a hint. */
const MAX_RETRY_AFTER_MS = 30_000;
const BATCH_PREFIX = '{"lines":[';
const BATCH_SUFFIX = ']}';
/** What a message may not hold: line breaks (one line each), and NUL, which PostgreSQL text refuses. */
const UNSENDABLE = /[\r\n\0]/;
const UNSENDABLES = /[\r\n\0]/g;

type Outcome =
  | { kind: 'sent' }
  | { kind: 'refused'; status: number }
  | { kind: 'retry'; error: string; retryAfterMs?: number };

/**
 * Ships log lines to the control plane (`POST /logs/v1/lines`) without ever making the
 * caller wait: `push` only appends to a bounded ring. Batches go out one request at a time,
 * once `flushLines` lines wait or `flushDelayMs` after the first; while the control plane is
 * away the batch is kept and retried with backoff, newer lines wait behind it, and beyond
 * `maxLines` the oldest are dropped and counted. A batch the API refuses (a 4xx other than
 * 429) is dropped and counted, so one bad batch cannot hold the log up forever.
 */
export class LogShipper implements LogSink {
  private readonly ring: LineRing;
  private readonly flushLines: number;
  private readonly flushDelayMs: number;
  private readonly reportIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly backoff: Backoff;
  private readonly pause = new Pause();
  private readonly url: string;
  private readonly headers: Record<string, string>;
  /** When the oldest waiting line arrived (Date.now()). */
  private firstWaitingAt = 0;
  private clockMs = -1;
  private clock = '';
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private running?: Promise<void>;
  private inFlight?: AbortController;
  /** Set by stop(): send what waits until then, then give up. */
  private deadline?: number;
  private stopped = false;
  private loss: LogShipperLoss = { dropped: 0, refused: 0 };
  private lastLossReport = -Infinity;
  private lossTimer?: NodeJS.Timeout;
  private lastRetryReport = -Infinity;
  private readonly counters: LogShipperStats = { pushed: 0, sent: 0, dropped: 0, refused: 0 };
  private readonly rateLimit?: LineRateLimit;

  constructor(private readonly options: LogShipperOptions) {
    this.ring = new LineRing(options.maxLines ?? 10_000);
    if (options.linesPerSecond !== undefined)
      this.rateLimit = new LineRateLimit(options.linesPerSecond);
    this.flushLines = Math.min(options.flushLines ?? 500, MAX_BATCH_LINES);
    this.flushDelayMs = options.flushDelayMs ?? 200;
    this.reportIntervalMs = options.reportIntervalMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoff = options.backoff ?? new Backoff();
    this.url = `${options.baseUrl}/logs/v1/lines`;
    this.headers = {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
  }

  /** The time of a line, formatted once per millisecond: a busy router pushes many in one. */
  private now(): string {
    const now = Date.now();
    if (now !== this.clockMs) {
      this.clockMs = now;
      this.clock = new Date(now).toISOString();
    }
    return this.clock;
  }

  /** Lines waiting (the batch in flight not included). */
  get waiting(): number {
    return this.ring.size;
  }

  /** Totals since the start, for tests and operators. */
  stats(): LogShipperStats {
    return { ...this.counters };
  }

  push(appId: string, source: LogSource, dyno: string, message: string): void {
    if (this.stopped) return;
    if (this.rateLimit) {
      const admitted = this.rateLimit.admit(`${appId} ${dyno}`, (this.options.clock ?? Date.now)());
      if (admitted === false) return;
      if (admitted !== true) {
        const since = new Date(admitted.sinceMs).toISOString().replace('Z', '+00:00');
        this.enqueue(
          appId,
          'heroku',
          dyno,
          `Error L12 (Local buffer overflow) -> ${admitted.dropped} messages dropped since ${since}: over ${this.options.linesPerSecond} lines a second`,
        );
      }
    }
    this.enqueue(appId, source, dyno, message);
  }

  private enqueue(appId: string, source: LogSource, dyno: string, message: string): void {
    this.counters.pushed++;
    if (this.ring.size === 0) this.firstWaitingAt = Date.now();
    const line: LogLine = {
      app_id: appId,
      source,
      dyno,
      time: this.now(),
      message: message.length > MAX_MESSAGE_LENGTH ? truncate(message) : message,
    };
    if (this.ring.push(line)) this.lost('dropped', 1);
    if (this.running === undefined) this.schedule();
  }

  /**
   * Sends what waits for up to `graceMs`, then stops; what is left is reported lost.
   * Lines pushed after it are ignored.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (this.stopped) return this.running;
    this.stopped = true;
    this.deadline = Date.now() + graceMs;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    this.pause.interrupt();
    const abort = setTimeout(() => this.inFlight?.abort(new Error('stopped')), graceMs);
    try {
      if (this.ring.size > 0) this.running ??= this.run();
      await this.running;
    } finally {
      clearTimeout(abort);
    }
    const left = this.ring.clear();
    if (left > 0) this.lost('dropped', left);
    clearTimeout(this.lossTimer);
    this.lossTimer = undefined;
    this.reportLoss();
  }

  /** Arms the next send: at once for a full batch, else when the oldest line is due. */
  private schedule(): void {
    if (this.stopped || this.ring.size === 0 || this.immediate) return;
    if (this.ring.size >= this.flushLines) {
      clearTimeout(this.timer);
      this.timer = undefined;
      // Not from push itself: the lines of this turn of the event loop join the batch.
      this.immediate = setImmediate(this.start);
      return;
    }
    if (this.timer) return;
    const delay = Math.max(0, this.firstWaitingAt + this.flushDelayMs - Date.now());
    this.timer = setTimeout(this.start, delay);
    this.timer.unref();
  }

  private readonly start = (): void => {
    this.timer = this.immediate = undefined;
    this.running ??= this.run();
  };

  private async run(): Promise<void> {
    try {
      while (this.ring.size > 0 && !this.pastDeadline()) {
        const since = this.firstWaitingAt;
        const batch = this.take();
        const outcome = await this.send(batch.body);
        if (outcome.kind === 'retry') {
          const dropped = this.ring.putBack(batch.lines);
          if (dropped > 0) this.lost('dropped', dropped);
          this.firstWaitingAt = Math.min(since, this.firstWaitingAt);
          const delay =
            outcome.retryAfterMs !== undefined
              ? Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS)
              : this.backoff.next();
          this.reportRetry(outcome.error, delay);
          await this.pause.for(
            this.deadline === undefined ? delay : Math.min(delay, this.deadline - Date.now()),
          );
          continue;
        }
        this.backoff.reset();
        if (outcome.kind === 'refused') {
          this.lost('refused', batch.lines.length, outcome.status);
        } else {
          this.counters.sent += batch.lines.length;
        }
        // Between batches, wait for the next to fill or fall due, unless stopping or a
        // batch's limits left part of a backlog behind.
        if (this.deadline === undefined && !batch.full && !this.due()) break;
      }
    } finally {
      this.running = undefined;
      this.schedule();
    }
  }

  private due(): boolean {
    return (
      this.ring.size >= this.flushLines || Date.now() >= this.firstWaitingAt + this.flushDelayMs
    );
  }

  private pastDeadline(): boolean {
    return this.deadline !== undefined && Date.now() >= this.deadline;
  }

  /** The oldest lines, as many as one batch may hold, serialised. */
  /**
   * The oldest lines, as many as one batch may hold, serialised by hand: the fields before
   * the message are shared by most lines of a batch (one app's router, one dyno).
   */
  private take(): { lines: LogLine[]; body: string; full: boolean } {
    const lines: LogLine[] = [];
    let body = BATCH_PREFIX;
    // An upper bound of the UTF-8 size: a UTF-16 unit is at most 3 bytes; exact only when needed.
    let bytes = BATCH_PREFIX.length + BATCH_SUFFIX.length;
    let exact = false;
    let full = false;
    let head: LogLine | undefined;
    let prefix = '';
    while (lines.length < MAX_BATCH_LINES && this.ring.size > 0) {
      const line = this.ring.peek()!;
      if (
        head === undefined ||
        line.app_id !== head.app_id ||
        line.source !== head.source ||
        line.dyno !== head.dyno
      ) {
        head = line;
        prefix = `{"app_id":${JSON.stringify(line.app_id)},"source":${JSON.stringify(line.source)},"dyno":${JSON.stringify(line.dyno)},"time":`;
      }
      const message = UNSENDABLE.test(line.message) ? sendable(line.message) : line.message;
      const json = `${prefix}${JSON.stringify(line.time)},"message":${JSON.stringify(message)}}`;
      let size = exact ? Buffer.byteLength(json) + 1 : json.length * 3 + 1;
      if (!exact && bytes + size > MAX_BATCH_BYTES) {
        exact = true;
        bytes = Buffer.byteLength(body) + BATCH_SUFFIX.length;
        size = Buffer.byteLength(json) + 1;
      }
      if (lines.length > 0 && bytes + size > MAX_BATCH_BYTES) {
        full = true;
        break;
      }
      this.ring.shift();
      body += lines.length === 0 ? json : `,${json}`;
      lines.push(line);
      bytes += size;
    }
    full ||= lines.length === MAX_BATCH_LINES;
    return { lines, body: body + BATCH_SUFFIX, full };
  }

  /** undici's request rather than fetch: no web streams, a fraction of the CPU per batch. */
  private async send(body: string): Promise<Outcome> {
    const controller = new AbortController();
    this.inFlight = controller;
    const timeout = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.timeoutMs}ms`)),
      this.timeoutMs,
    );
    try {
      const response = await request(this.url, {
        method: 'POST',
        headers: this.headers,
        body,
        signal: controller.signal,
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { kind: 'sent' };
      if (status >= 500 || status === 429) {
        const header = response.headers['retry-after'];
        return {
          kind: 'retry',
          error: `the log ingest answered ${status}`,
          retryAfterMs: retryAfter(Array.isArray(header) ? header[0] : (header ?? null)),
        };
      }
      return { kind: 'refused', status };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      return { kind: 'retry', error: describeError(reason) };
    } finally {
      clearTimeout(timeout);
      this.inFlight = undefined;
    }
  }

  private lost(kind: 'dropped' | 'refused', lines: number, status?: number): void {
    this.counters[kind] += lines;
    this.loss[kind] += lines;
    if (status !== undefined) this.loss.status = status;
    if (this.lossTimer || this.stopped) return;
    const delay = Math.max(0, this.lastLossReport + this.reportIntervalMs - Date.now());
    this.lossTimer = setTimeout(() => {
      this.lossTimer = undefined;
      this.reportLoss();
    }, delay);
    this.lossTimer.unref();
  }

  private reportLoss(): void {
    const loss = this.loss;
    if (loss.dropped === 0 && loss.refused === 0) return;
    this.loss = { dropped: 0, refused: 0 };
    this.lastLossReport = Date.now();
    this.options.onLoss?.(loss);
  }

  private reportRetry(error: string, retryInMs: number): void {
    const now = Date.now();
    if (now < this.lastRetryReport + this.reportIntervalMs) return;
    this.lastRetryReport = now;
    this.options.onRetry?.(error, retryInMs);
  }
}

/** Seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A line break becomes a space, a NUL the replacement character: the length stays. */
function sendable(message: string): string {
  return message.replace(UNSENDABLES, (c) => (c === '\0' ? '\uFFFD' : ' '));
}

/** The first 10,000 characters, without splitting a surrogate pair. */
export function truncate(message: string): string {
  let end = MAX_MESSAGE_LENGTH;
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return message.slice(0, end);
}

/** A fixed-size FIFO of lines: O(1) at both ends, the oldest overwritten when full. */
class LineRing {
  private readonly slots: Array<LogLine | undefined>;
  private head = 0;
  size = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('maxLines must be a positive integer');
    this.slots = new Array<LogLine | undefined>(capacity);
  }

  /** Appends; true when the oldest line had to go to make room. */
  push(line: LogLine): boolean {
    if (this.size === this.capacity) {
      this.slots[this.head] = line;
      this.head = (this.head + 1) % this.capacity;
      return true;
    }
    this.slots[(this.head + this.size) % this.capacity] = line;
    this.size++;
    return false;
  }

  peek(): LogLine | undefined {
    return this.size === 0 ? undefined : this.slots[this.head];
  }

  shift(): LogLine | undefined {
    if (this.size === 0) return undefined;
    const line = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return line;
  }

  /**
   * Puts lines taken from the front back in front (they are older than anything waiting),
   * as many as there is room for, newest first; answers how many did not fit.
   */
  putBack(lines: LogLine[]): number {
    let i = lines.length - 1;
    for (; i >= 0 && this.size < this.capacity; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.slots[this.head] = lines[i];
      this.size++;
    }
    return i + 1;
  }

  /** Empties the ring; answers how many lines it held. */
  clear(): number {
    const size = this.size;
    this.slots.fill(undefined);
    this.head = this.size = 0;
    return size;
  }
}
