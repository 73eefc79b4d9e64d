import type { StoredLogLine } from '../store/log.repository.js';
import { pickBacklog } from './log-backlog.js';

const line = (seq: number, second: number, dyno = 'web.1'): StoredLogLine => ({
  seq,
  at: `2026-12-01T18:00:${String(second).padStart(2, '0')}.000000+00:00`,
  source: 'heroku',
  dyno,
  message: `line ${seq}`,
});
const all = { source: null, dyno: null };

describe('a log session’s backlog', () => {
  // The manager's "Starting process" (second 1) arrived after the API's state change (second 2).
  const retained = [line(1, 0), line(2, 2), line(3, 1), line(4, 3, 'router'), line(5, 3)];

  it('takes the newest lines by arrival and shows them in time order', () => {
    expect(pickBacklog(retained, all, 3, null).map((l) => l.seq)).toEqual([3, 4, 5]);
    expect(pickBacklog(retained, all, 10, null).map((l) => l.seq)).toEqual([1, 3, 2, 4, 5]);
  });

  it('applies the filter before counting', () => {
    const web = { source: null, dyno: 'web' };
    expect(pickBacklog(retained, web, 2, null).map((l) => l.seq)).toEqual([3, 5]);
    expect(pickBacklog(retained, web, 0, null)).toEqual([]);
  });

  it('resumes with every line after the last one seen, whatever the count', () => {
    expect(pickBacklog(retained, all, 1, 2).map((l) => l.seq)).toEqual([3, 4, 5]);
  });
});
