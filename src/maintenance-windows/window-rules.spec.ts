import { InvalidParamsError } from '../common/errors/api-errors.js';
import { checkWindowSpan, parseInstant } from './window-rules.js';

describe('parseInstant', () => {
  it('takes ISO 8601 times with a zone', () => {
    expect(parseInstant('starts_at', '2026-12-01T18:00:00Z').toISOString()).toBe(
      '2026-12-01T18:00:00.000Z',
    );
    expect(parseInstant('starts_at', '2026-12-01T19:30+01:00').toISOString()).toBe(
      '2026-12-01T18:30:00.000Z',
    );
    expect(parseInstant('starts_at', '2024-02-29T00:00:00.123Z').toISOString()).toBe(
      '2024-02-29T00:00:00.123Z',
    );
  });

  it.each([
    'tomorrow',
    '2026-12-01',
    '2026-12-01T18:00:00',
    '2026-13-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '1764612000',
    '',
  ])('refuses %p with a 422 that names the field', (value) => {
    expect(() => parseInstant('ends_at', value)).toThrow(InvalidParamsError);
    expect(() => parseInstant('ends_at', value)).toThrow(/^ends_at must be an ISO 8601 time/);
  });
});

describe('checkWindowSpan', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const at = (iso: string) => new Date(iso);
  const day = 24 * 3600;

  it('accepts a future window within the maximum', () => {
    expect(() =>
      checkWindowSpan(
        { startsAt: at('2026-12-01T12:00:01Z'), endsAt: at('2026-12-02T12:00:01Z') },
        now,
        day,
      ),
    ).not.toThrow();
  });

  it('refuses a start that is not in the future', () => {
    expect(() =>
      checkWindowSpan({ startsAt: now, endsAt: at('2026-12-01T13:00:00Z') }, now, day),
    ).toThrow(/not in the future/);
  });

  it('refuses an end at or before the start', () => {
    const startsAt = at('2026-12-01T13:00:00Z');
    expect(() => checkWindowSpan({ startsAt, endsAt: startsAt }, now, day)).toThrow(
      /must be after starts_at/,
    );
  });

  it('refuses a window longer than the maximum, naming both lengths', () => {
    expect(() =>
      checkWindowSpan(
        { startsAt: at('2026-12-01T13:00:00Z'), endsAt: at('2026-12-02T14:00:00Z') },
        now,
        day,
      ),
    ).toThrow('The window lasts 25 h; windows last at most 24 h');
  });
});
