import { InvalidParamsError } from '../common/errors/api-errors.js';

/** Longest period one request may sum, in days (both ends included). */
export const MAX_USAGE_DAYS = 366;
const DAY_MS = 86_400_000;

/**
 * The days a usage request covers: `start` is required, `end` defaults to today (UTC);
 * both YYYY-MM-DD, real dates, in order, at most MAX_USAGE_DAYS apart.
 */
export function usagePeriod(
  start: string | undefined,
  end: string | undefined,
  today: Date = new Date(),
): { start: string; end: string } {
  const from = parseDay('start', start);
  const to =
    end === undefined || end === '' ? today.toISOString().slice(0, 10) : parseDay('end', end);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw new InvalidParamsError(`end (${to}) is before start (${from}).`);
  if (days > MAX_USAGE_DAYS) {
    throw new InvalidParamsError(
      `A usage period is at most ${MAX_USAGE_DAYS} days; ${from} to ${to} is ${days}.`,
    );
  }
  return { start: from, end: to };
}

function parseDay(name: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new InvalidParamsError(`${name} is required, as YYYY-MM-DD.`);
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) {
    throw new InvalidParamsError(
      `${name} must be a date as YYYY-MM-DD; got "${value.slice(0, 40)}".`,
    );
  }
  return value;
}
