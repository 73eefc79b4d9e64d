import { InvalidParamsError } from '../common/errors/api-errors.js';
import { MAX_USAGE_DAYS, usagePeriod } from './usage-period.js';

describe('usagePeriod', () => {
  const today = new Date('2026-12-01T15:00:00Z');

  it('ends today (UTC) unless told otherwise', () => {
    expect(usagePeriod('2026-11-01', undefined, today)).toEqual({
      start: '2026-11-01',
      end: '2026-12-01',
    });
    expect(usagePeriod('2026-11-01', '2026-11-01', today)).toEqual({
      start: '2026-11-01',
      end: '2026-11-01',
    });
  });

  it.each([
    [undefined, undefined],
    ['2026-13-01', undefined],
    ['2026-02-30', undefined],
    ['2026-11-1', undefined],
    ['yesterday', undefined],
    ['2026-11-02', '2026-11-01'],
  ])('refuses start %s, end %s', (start, end) => {
    expect(() => usagePeriod(start, end, today)).toThrow(InvalidParamsError);
  });

  it(`refuses more than ${MAX_USAGE_DAYS} days`, () => {
    expect(() => usagePeriod('2024-01-01', '2026-01-01', today)).toThrow(/at most/);
  });
});
