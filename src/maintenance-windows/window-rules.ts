import { InvalidParamsError } from '../common/errors/api-errors.js';

/**
 * ISO 8601 with a date, a time and a zone: `2026-12-01T18:00:00Z`,
 * `2026-12-01T19:00+01:00`. A time without a zone would mean the server's.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A time of the API's: an ISO 8601 string with its zone, as a Date; 422 naming `field` otherwise. */
export function parseInstant(field: string, value: string): Date {
  const match = ISO_8601.exec(value);
  const [year, month, day, hour, minute, second] = (match ?? [])
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const valid =
    match !== null &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= new Date(Date.UTC(year, month, 0)).getUTCDate() &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  const at = valid ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) {
    throw new InvalidParamsError(
      `${field} must be an ISO 8601 time with a zone, such as 2026-12-01T18:00:00Z; got "${value}".`,
    );
  }
  return at;
}

/**
 * When a window may be: it starts in the future, ends after it starts, and lasts at most
 * `maxSeconds` (MAINTENANCE_WINDOW_MAX_HOURS).
 */
export function checkWindowSpan(
  span: { startsAt: Date; endsAt: Date },
  now: Date,
  maxSeconds: number,
): void {
  if (span.startsAt.getTime() <= now.getTime()) {
    throw new InvalidParamsError(
      `starts_at ${span.startsAt.toISOString()} is not in the future (it is ${now.toISOString()}): ` +
        'to start maintenance now, PATCH /apps/{app}/maintenance {"enabled": true}.',
    );
  }
  if (span.endsAt.getTime() <= span.startsAt.getTime()) {
    throw new InvalidParamsError(
      `ends_at ${span.endsAt.toISOString()} must be after starts_at ${span.startsAt.toISOString()}.`,
    );
  }
  const seconds = (span.endsAt.getTime() - span.startsAt.getTime()) / 1000;
  if (seconds > maxSeconds) {
    throw new InvalidParamsError(
      `The window lasts ${formatDuration(seconds)}; windows last at most ${formatDuration(maxSeconds)} ` +
        '(MAINTENANCE_WINDOW_MAX_HOURS).',
    );
  }
}

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.ceil(seconds / 60)} min`;
}
