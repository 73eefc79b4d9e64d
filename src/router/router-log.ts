import type { LogSink } from '../common/http-client/log-shipper.js';

/** The fields of one request line, in the order Heroku's router prints them. */
export interface RequestLogLine {
  at: 'info' | 'error';
  code?: string;
  desc?: string;
  method: string;
  path: string;
  host: string;
  requestId: string;
  fwd: string;
  /** Empty when no dyno served the request (maintenance, H14, 404). */
  dyno: string;
  connectMs?: number;
  serviceMs?: number;
  status: number;
  bytes: number;
  protocol: string;
}

/**
 * One line like Heroku's router writes, e.g.
 * `at=info method=GET path="/" host=myapp.localhost request_id=... fwd="1.2.3.4" dyno=web.1
 * connect=1ms service=5ms status=200 bytes=1234 protocol=http`.
 */
export function formatRequestLog(line: RequestLogLine): string {
  let text = `at=${line.at}`;
  if (line.code !== undefined) text += ` code=${line.code}`;
  if (line.desc !== undefined) text += ` desc="${quoted(line.desc)}"`;
  return (
    text +
    ` method=${bare(line.method)} path="${quoted(line.path)}" host=${bare(line.host)}` +
    ` request_id=${bare(line.requestId)} fwd="${quoted(line.fwd)}" dyno=${bare(line.dyno)}` +
    ` connect=${milliseconds(line.connectMs)} service=${milliseconds(line.serviceMs)}` +
    ` status=${line.status} bytes=${line.bytes} protocol=${line.protocol}\n`
  );
}

export type LogFields = Record<string, string | number | undefined>;

/** A state line for operators: `at=info state=connected version=42`. Values are quoted when needed. */
export function formatStateLog(at: 'info' | 'error', fields: LogFields): string {
  let text = `at=${at}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const string = String(value);
    text += /^[A-Za-z0-9._:/@+-]+$/.test(string)
      ? ` ${key}=${string}`
      : ` ${key}="${quoted(string)}"`;
  }
  return `${text}\n`;
}

function milliseconds(value: number | undefined): string {
  return value === undefined ? '' : `${value}ms`;
}

// Paths and forwarded-for chains come from clients: escape what could forge a field or a line.
function quoted(value: string): string {
  let i = 0;
  while (i < value.length && !needsEscape(value.charCodeAt(i))) i++;
  if (i === value.length) return value;
  let text = value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!needsEscape(c)) text += value[i];
    else if (c === 34 || c === 92) text += `\\${value[i]}`;
    else text += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return text;
}

/** Double quote, backslash and control characters. */
function needsEscape(c: number): boolean {
  return c === 34 || c === 92 || c < 32 || c === 127;
}

const UNSAFE_BARE = /[^A-Za-z0-9._:[\]@+-]/;
function bare(value: string): string {
  return UNSAFE_BARE.test(value) ? value.replace(/[^A-Za-z0-9._:[\]@+-]/g, '?') : value;
}

interface Sink {
  write(text: string): unknown;
}

/**
 * Request lines go to stdout, collected within one turn of the event loop and written
 * together: a busy router makes one write per turn instead of one per request. State lines
 * go to stderr at once, so the access log on stdout stays one line per request. The line
 * of a request for an app also goes to that app's log, as `heroku[router]`.
 */
export class RouterLog {
  private pending = '';
  private scheduled = false;

  constructor(
    private readonly out: Sink = process.stdout,
    private readonly err: Sink = process.stderr,
    private readonly appLogs?: LogSink,
  ) {}

  /** `appId`: the app the request was for; none when it matched no app. */
  request(line: RequestLogLine, appId?: string): void {
    const text = formatRequestLog(line);
    this.pending += text;
    if (appId !== undefined) this.appLogs?.push(appId, 'heroku', 'router', text.slice(0, -1));
    if (this.pending.length > 65_536) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  state(at: 'info' | 'error', fields: LogFields): void {
    this.err.write(formatStateLog(at, fields));
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  };
}
