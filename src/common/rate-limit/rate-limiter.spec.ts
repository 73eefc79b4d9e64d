import { RateLimiter } from './rate-limiter.js';

const HOUR = 3_600_000;

describe('RateLimiter', () => {
  it("gives a key its whole budget at once, as Heroku's 4,500 an hour", () => {
    const limiter = new RateLimiter(4500, HOUR);
    const budget = limiter.budget('account', 0);
    const remaining = Array.from({ length: 4500 }, () => limiter.take(budget, 0));
    expect(remaining.slice(0, 3)).toEqual([4499, 4498, 4497]);
    expect(remaining.at(-1)).toBe(0);
    expect(limiter.take(budget, 0)).toBe(-1);
    expect(limiter.take(budget, 0)).toBe(-1);
  });

  it('refills continuously: one request every period / capacity', () => {
    const limiter = new RateLimiter(4500, HOUR);
    const budget = limiter.budget('account', 0);
    for (let i = 0; i < 4500; i++) limiter.take(budget, 0);
    expect(limiter.retryAfterSeconds(budget, 0)).toBe(1);
    expect(limiter.take(budget, 799)).toBe(-1);
    expect(limiter.take(budget, 800)).toBe(0);
    expect(limiter.take(budget, 800)).toBe(-1);
    // Never more than the capacity, however long the key was idle.
    expect(limiter.take(budget, 10 * HOUR)).toBe(4499);
  });

  it('tells how long until the next request', () => {
    const limiter = new RateLimiter(10, HOUR);
    const budget = limiter.budget('slow', 0);
    for (let i = 0; i < 10; i++) limiter.take(budget, 0);
    expect(limiter.retryAfterSeconds(budget, 0)).toBe(360);
    expect(limiter.retryAfterSeconds(budget, 359_500)).toBe(1);
  });

  it('shares nothing between keys', () => {
    const limiter = new RateLimiter(1, 1000);
    expect(limiter.take(limiter.budget('a', 0), 0)).toBe(0);
    expect(limiter.take(limiter.budget('a', 0), 0)).toBe(-1);
    expect(limiter.take(limiter.budget('b', 0), 0)).toBe(0);
  });

  it('reports a key spent without creating one for keys never charged', () => {
    const limiter = new RateLimiter(2, 60_000);
    expect(limiter.spent('10.0.0.1', 0)).toBe(false);
    expect(limiter.size).toBe(0);
    const budget = limiter.budget('10.0.0.1', 0);
    limiter.take(budget, 0);
    expect(limiter.spent('10.0.0.1', 0)).toBe(false);
    limiter.take(budget, 0);
    expect(limiter.spent('10.0.0.1', 0)).toBe(true);
    expect(limiter.spent('10.0.0.1', 30_000)).toBe(false);
  });

  it('does not hand out requests when the clock steps back', () => {
    const limiter = new RateLimiter(1, 1000);
    const budget = limiter.budget('a', 5000);
    limiter.take(budget, 5000);
    expect(limiter.take(budget, 1000)).toBe(-1);
  });

  it('holds at most maxKeys, forgetting full budgets before spent ones', () => {
    const limiter = new RateLimiter(1, 1000, 10);
    for (let i = 0; i < 5; i++) limiter.take(limiter.budget(`spent-${i}`, 0), 0);
    for (let i = 0; i < 5; i++) limiter.budget(`idle-${i}`, 0);
    limiter.budget('new', 0);
    expect(limiter.size).toBeLessThanOrEqual(10);
    for (let i = 0; i < 5; i++) expect(limiter.spent(`spent-${i}`, 0)).toBe(true);
    for (let i = 0; i < 1000; i++) limiter.take(limiter.budget(`flood-${i}`, 0), 0);
    expect(limiter.size).toBeLessThanOrEqual(10);
  });
});
