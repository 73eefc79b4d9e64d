import { CrashCooldown, MAX_CRASH_COOLDOWN_MS, STABLE_AFTER_MS } from './crash-cooldown.js';

describe('CrashCooldown', () => {
  it('restarts at once after the first crash, then doubles from the base up to 20 minutes', () => {
    const cooldown = new CrashCooldown(60_000);
    expect(Array.from({ length: 9 }, () => cooldown.next(1000))).toEqual([
      0,
      60_000,
      120_000,
      240_000,
      480_000,
      960_000,
      MAX_CRASH_COOLDOWN_MS,
      MAX_CRASH_COOLDOWN_MS,
      MAX_CRASH_COOLDOWN_MS,
    ]);
    expect(cooldown.streak).toBe(9);
  });

  it('starts over once a dyno stayed up for a while before crashing', () => {
    const cooldown = new CrashCooldown(1000);
    cooldown.next(10);
    cooldown.next(10);
    expect(cooldown.next(10)).toBe(2000);
    expect(cooldown.next(STABLE_AFTER_MS)).toBe(0);
    expect(cooldown.next(10)).toBe(1000);
  });

  it('never waits with a base of zero', () => {
    const cooldown = new CrashCooldown(0);
    expect([cooldown.next(1), cooldown.next(1), cooldown.next(1)]).toEqual([0, 0, 0]);
  });
});
