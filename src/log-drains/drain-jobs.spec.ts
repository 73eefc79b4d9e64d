import { deliveryJob, drainRetryDelayMs } from './drain-jobs.js';

describe('drain delivery jobs', () => {
  it('keep one waiting per drain under its key, in no named queue', () => {
    expect(deliveryJob('d1')).toEqual({
      jobKey: 'log-drain:d1',
      jobKeyMode: 'preserve_run_at',
      maxAttempts: 8,
    });
    const later = new Date('2026-12-01T18:00:00Z');
    expect(deliveryJob('d1', later)).toMatchObject({ jobKeyMode: 'replace', runAt: later });
  });

  it('back off from about a second, doubling, to five minutes', () => {
    const upper = (failures: number) => drainRetryDelayMs(failures, () => 1);
    const lower = (failures: number) => drainRetryDelayMs(failures, () => 0);
    expect([1, 2, 3, 4].map(upper)).toEqual([1000, 2000, 4000, 8000]);
    expect(lower(1)).toBe(500);
    expect(upper(9)).toBe(256_000);
    expect(upper(10)).toBe(300_000);
    expect(upper(1000)).toBe(300_000);
    expect(lower(1000)).toBe(150_000);
  });
});
