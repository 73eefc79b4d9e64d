import { LineRateLimit } from './line-rate-limit.js';

describe('log line rate limits', () => {
  it('lets a second’s worth through at once, then as many a second', () => {
    const limit = new LineRateLimit(10);
    const admitted = Array.from({ length: 15 }, () => limit.admit('app router', 1000));
    expect(admitted.filter((a) => a === true)).toHaveLength(10);
    expect(admitted.slice(10)).toEqual([false, false, false, false, false]);
    expect(limit.admit('app router', 1050)).toBe(false);
    // 100 ms later one more fits, and it says what was refused since when.
    expect(limit.admit('app router', 1100)).toEqual({ dropped: 6, sinceMs: 1000 });
    expect(limit.admit('app router', 1100)).toBe(false);
    expect(limit.admit('app router', 1200)).toEqual({ dropped: 1, sinceMs: 1100 });
  });

  it('keeps keys apart', () => {
    const limit = new LineRateLimit(1);
    expect(limit.admit('a', 0)).toBe(true);
    expect(limit.admit('a', 0)).toBe(false);
    expect(limit.admit('b', 0)).toBe(true);
  });

  it('never saves up more than one second’s worth', () => {
    const limit = new LineRateLimit(5);
    const admitted = Array.from({ length: 8 }, () => limit.admit('a', 60_000));
    expect(admitted.filter((a) => a === true)).toHaveLength(5);
  });
});
