import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles from 250 ms to 10 s, drawing each delay from the upper half of its step', () => {
    const highest = new Backoff(250, 10_000, () => 1);
    expect(Array.from({ length: 9 }, () => highest.next())).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
    const lowest = new Backoff(250, 10_000, () => 0);
    expect(Array.from({ length: 4 }, () => lowest.next())).toEqual([125, 250, 500, 1000]);
  });

  it('jitters between the half and the whole step', () => {
    const backoff = new Backoff();
    for (let i = 0; i < 50; i++) {
      const step = Math.min(10_000, 250 * 2 ** i);
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
    }
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff(250, 10_000, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(250);
  });
});
