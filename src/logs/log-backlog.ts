import type { StoredLogLine } from '../store/log.repository.js';
import { LogFilter, matchesFilter } from './log-line.js';

/**
 * The newest `lines` lines the filter keeps (by arrival), or every one after `resumeAfter`,
 * in time order: a dyno manager's lines arrive a batch later than the state changes the API
 * writes at once, and read back they should tell what happened in the order it happened.
 */
export function pickBacklog(
  retained: StoredLogLine[],
  filter: LogFilter,
  lines: number,
  resumeAfter: number | null,
): StoredLogLine[] {
  let picked: StoredLogLine[];
  if (resumeAfter !== null) {
    picked = retained.filter((line) => line.seq > resumeAfter && matchesFilter(filter, line));
  } else {
    picked = [];
    for (let i = retained.length - 1; i >= 0 && picked.length < lines; i--)
      if (matchesFilter(filter, retained[i])) picked.push(retained[i]);
    picked.reverse();
  }
  // Fixed-width UTC stamps sort as strings; the sort is stable, so equal times keep arrival order.
  return picked.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
