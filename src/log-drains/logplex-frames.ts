import { createHash } from 'node:crypto';

/** A line as a drain receives it; `at` in Heroku's format (`2026-12-01T18:00:00.123456+00:00`). */
export interface DrainLine {
  at: string;
  source: string;
  dyno: string;
  message: string;
}

/**
 * Syslog priorities (facility × 8 + severity) as Heroku's drains carry them: the router's
 * lines local3.info, the app's own output local7.info, the platform's (dyno states, app[api])
 * syslog.notice, and Logplex's own L10 local5.warning.
 */
export const PRIORITY = { router: 158, app: 190, platform: 45, logplex: 172 } as const;

export function priorityOf(line: Pick<DrainLine, 'source' | 'dyno'>): number {
  if (line.source === 'heroku') {
    if (line.dyno === 'router') return PRIORITY.router;
    if (line.dyno === 'logplex') return PRIORITY.logplex;
    return PRIORITY.platform;
  }
  return line.dyno === 'api' ? PRIORITY.platform : PRIORITY.app;
}

/**
 * One octet-counted frame (RFC 6587) of an RFC 5424 message, as Logplex writes them:
 * `<len> <PRI>1 <time> host <source> <dyno> - <message>\n`, the length counting the bytes
 * after its space, the newline included. Heroku sends no structured data: `-` is the MSGID.
 */
export function syslogFrame(line: DrainLine): string {
  const message = `<${priorityOf(line)}>1 ${line.at} host ${line.source} ${line.dyno} - ${line.message}\n`;
  return `${Buffer.byteLength(message)} ${message}`;
}

/** Heroku's line for lines a drain lost: `heroku[logplex]: Error L10 (output buffer overflow): …`. */
export function overflowLine(count: number, since: Date, now: Date): DrainLine {
  return {
    at: syslogSeconds(now),
    source: 'heroku',
    dyno: 'logplex',
    message: `Error L10 (output buffer overflow): ${count} messages dropped since ${syslogSeconds(since)}.`,
  };
}

/** Logplex's timestamps for its own lines: whole seconds, UTC as +00:00. */
export function syslogSeconds(time: Date): string {
  return `${time.toISOString().slice(0, 19)}+00:00`;
}

/**
 * A delivery's Logplex-Frame-Id: the same for the same lines of the same drain, so a
 * receiver can tell a retried POST from a new one; 32 hex digits, as Logplex's.
 */
export function frameId(drainId: string, afterSeq: number, lastSeq: number, lost: number): string {
  return createHash('sha256')
    .update(`${drainId} ${afterSeq} ${lastSeq} ${lost}`)
    .digest('hex')
    .slice(0, 32)
    .toUpperCase();
}
