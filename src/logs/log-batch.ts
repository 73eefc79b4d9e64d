import { InvalidParamsError, PayloadTooLargeError } from '../common/errors/api-errors.js';
import { API_DYNO, DYNO_NAME, LOG_SOURCES, ROUTER_DYNO } from './log-line.js';

export const MAX_BATCH_LINES = 1000;
/** Heroku's logplex truncates longer lines at 10 KB; shippers truncate before sending. */
export const MAX_MESSAGE_CHARS = 10_000;
/** A line dated later than this after its receipt is dated at its receipt: a skewed clock cannot reorder the log's future. */
const FUTURE_SKEW_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const LINE_BREAK = /[\r\n]/;
/** PostgreSQL text cannot hold NUL. */
const NUL = /\0/;
const FIELDS = new Set(['app_id', 'source', 'dyno', 'time', 'message']);

export interface IngestLine {
  appId: string;
  source: string;
  dyno: string;
  loggedAt: Date;
  message: string;
}

/** Who writes: a router writes `heroku[router]`, a dyno manager its dynos' lines. */
export type LogWriter = 'router' | 'dyno-manager';

/**
 * Reads a `POST /logs/v1/lines` body: every line well-formed, or nothing (422 naming the
 * first bad line), and a batch within MAX_BATCH_LINES (413).
 */
export function parseLogBatch(body: unknown, receivedAt: Date): IngestLine[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidParamsError('The body must be an object: {"lines": [...]}.');
  const { lines, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new InvalidParamsError(`${unknown[0]}: unknown field.`);
  if (!Array.isArray(lines)) throw new InvalidParamsError('lines: expected an array.');
  if (lines.length > MAX_BATCH_LINES)
    throw new PayloadTooLargeError(
      `A batch holds at most ${MAX_BATCH_LINES} lines; this one has ${lines.length}. Send smaller batches.`,
    );
  return lines.map((line, i) => parseLine(line, `lines[${i}]`, receivedAt));
}

function parseLine(value: unknown, path: string, receivedAt: Date): IngestLine {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidParamsError(`${path}: expected an object.`);
  const line = value as Record<string, unknown>;
  for (const key of Object.keys(line))
    if (!FIELDS.has(key)) throw new InvalidParamsError(`${path}.${key}: unknown field.`);
  const { app_id: appId, source, dyno, time, message } = line;
  if (typeof appId !== 'string' || !UUID.test(appId))
    throw new InvalidParamsError(`${path}.app_id: expected the app's UUID.`);
  if (typeof source !== 'string' || !(LOG_SOURCES as readonly string[]).includes(source))
    throw new InvalidParamsError(`${path}.source: expected one of ${LOG_SOURCES.join(', ')}.`);
  if (typeof dyno !== 'string' || !(dyno === ROUTER_DYNO || DYNO_NAME.test(dyno)))
    throw new InvalidParamsError(`${path}.dyno: expected a dyno name (web.1) or router.`);
  if (typeof message !== 'string')
    throw new InvalidParamsError(`${path}.message: expected a string.`);
  if (message.length > MAX_MESSAGE_CHARS)
    throw new InvalidParamsError(
      `${path}.message: at most ${MAX_MESSAGE_CHARS} characters (this one has ${message.length}).`,
    );
  if (LINE_BREAK.test(message))
    throw new InvalidParamsError(
      `${path}.message: one line, without CR or LF; send one line each.`,
    );
  if (NUL.test(message))
    throw new InvalidParamsError(`${path}.message: NUL characters are not text.`);
  return {
    appId: appId.toLowerCase(),
    source,
    dyno,
    loggedAt: parseTime(time, `${path}.time`, receivedAt),
    message,
  };
}

function parseTime(time: unknown, path: string, receivedAt: Date): Date {
  if (time === undefined) return receivedAt;
  const at = typeof time === 'string' && ISO_TIME.test(time) ? new Date(time) : null;
  if (!at || Number.isNaN(at.getTime()))
    throw new InvalidParamsError(
      `${path}: expected an ISO 8601 time such as 2026-12-01T18:00:00.123Z.`,
    );
  return at.getTime() - receivedAt.getTime() > FUTURE_SKEW_MS ? receivedAt : at;
}

/**
 * Why `writer` may not write `line`, or undefined: routers write only `heroku[router]`;
 * dyno managers write their dynos' `app[…]` and `heroku[…]` lines, never the router's or
 * the control plane's (`app[api]`, which the parser refuses from anyone).
 */
export function refusedLine(writer: LogWriter, line: IngestLine): string | undefined {
  if (writer === 'router') {
    return line.source === 'heroku' && line.dyno === ROUTER_DYNO
      ? undefined
      : `A router writes only heroku[${ROUTER_DYNO}] lines, not ${line.source}[${line.dyno}].`;
  }
  return line.dyno === ROUTER_DYNO || line.dyno === API_DYNO
    ? `A dyno manager writes only its dynos' lines, not ${line.source}[${line.dyno}].`
    : undefined;
}
