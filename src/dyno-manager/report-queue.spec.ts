import { Backoff } from '../common/http-client/backoff.js';
import type { ReportOutcome } from './control-plane-api.js';
import { QueuedReport, ReportQueue } from './report-queue.js';

const report = (dynoId: string, state: 'starting' | 'up' | 'crashed', generation = 1) => ({
  appId: 'app-1',
  dynoId,
  dynoName: dynoId,
  report: { state, generation },
});

function queue(send: (report: QueuedReport) => Promise<ReportOutcome>, limit?: number) {
  const outcomes: Array<[string, string, ReportOutcome]> = [];
  const dropped: string[] = [];
  const retries: number[] = [];
  const reports = new ReportQueue({
    send,
    onOutcome: (r, outcome) => outcomes.push([r.dynoId, r.report.state, outcome]),
    onRetry: (failed) => retries.push(failed),
    onDropped: (r) => dropped.push(r.dynoId),
    // No waiting between attempts in a test.
    backoff: new Backoff(0, 0),
    limit,
  });
  return { reports, outcomes, dropped, retries };
}

describe('ReportQueue', () => {
  it('sends only the latest report of a dyno that waits, one dyno at a time', async () => {
    const sent: string[] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const { reports, outcomes } = queue(async (r) => {
      sent.push(`${r.dynoId}:${r.report.state}`);
      if (sent.length === 1) await first;
      return 'accepted';
    });
    reports.put(report('web.1', 'starting'));
    // While web.1's first report is in flight, two more come: only the last goes out after.
    reports.put(report('web.1', 'up'));
    reports.put(report('web.1', 'crashed'));
    release();
    expect(await reports.flush(1000)).toBe(true);
    expect(sent).toEqual(['web.1:starting', 'web.1:crashed']);
    expect(outcomes.map(([, state, outcome]) => `${state}:${outcome}`)).toEqual([
      'starting:accepted',
      'crashed:accepted',
    ]);
  });

  it('keeps reports while the control plane is unreachable and sends them once it is back', async () => {
    let reachable = false;
    const sent: string[] = [];
    const { reports, retries } = queue(async (r) => {
      if (!reachable) {
        if (retries.length >= 3) reachable = true;
        throw new Error('ECONNREFUSED');
      }
      sent.push(r.dynoId);
      return 'accepted';
    });
    reports.put(report('web.1', 'up'));
    reports.put(report('worker.1', 'up'));
    expect(await reports.flush(5000)).toBe(true);
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(sent.sort()).toEqual(['web.1', 'worker.1']);
  });

  it('passes a stale or gone answer on, and never sends that report again', async () => {
    const answers: ReportOutcome[] = ['stale', 'gone'];
    const { reports, outcomes } = queue(async () => answers.shift()!);
    reports.put(report('web.1', 'up'));
    await reports.flush(1000);
    reports.put(report('web.2', 'up'));
    await reports.flush(1000);
    expect(outcomes).toEqual([
      ['web.1', 'up', 'stale'],
      ['web.2', 'up', 'gone'],
    ]);
  });

  it('is bounded: past the limit the oldest waiting report is dropped', async () => {
    const { reports, dropped } = queue(() => new Promise(() => undefined), 2);
    reports.put(report('a.1', 'up'));
    reports.put(report('b.1', 'up'));
    reports.put(report('c.1', 'up'));
    reports.put(report('d.1', 'up'));
    // a.1 went in flight at once; b.1 then c.1 were the oldest waiting.
    expect(dropped).toEqual(['b.1']);
    expect(reports.size).toBe(3);
    expect(await reports.flush(10)).toBe(false);
  });
});
