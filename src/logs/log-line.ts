/** Where a line comes from, as Heroku names it: the app's own output, or the platform's. */
export const LOG_SOURCES = ['app', 'heroku'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

/** The dyno names of lines no dyno wrote: the router's, and the control plane's (`app[api]`). */
export const ROUTER_DYNO = 'router';
export const API_DYNO = 'api';

/** A dyno's name, `web.1` or `run.12`: a process type and a number. */
export const DYNO_NAME = /^[a-z][a-z0-9_-]{0,29}\.[1-9][0-9]{0,8}$/i;
/** A filter's dyno: a dyno's name, a process type (`web`: every web dyno), `router` or `api`. */
export const DYNO_FILTER = /^[a-z][a-z0-9_-]{0,29}(\.[1-9][0-9]{0,8})?$/i;

export interface LogFilter {
  source: string | null;
  dyno: string | null;
}

export interface LogLineFields {
  at: string;
  source: string;
  dyno: string;
  message: string;
}

/** Heroku's filter semantics: a source, and a dyno by name or by process type. */
export function matchesFilter(filter: LogFilter, line: { source: string; dyno: string }): boolean {
  if (filter.source !== null && line.source !== filter.source) return false;
  if (filter.dyno === null || line.dyno === filter.dyno) return true;
  const dot = line.dyno.indexOf('.');
  return dot > 0 && line.dyno.slice(0, dot) === filter.dyno;
}

/** `2026-12-01T18:00:00.123456+00:00 heroku[router]: at=info …`, as `heroku logs` prints it. */
export function formatLogLine(line: LogLineFields): string {
  return `${line.at} ${line.source}[${line.dyno}]: ${line.message}`;
}
