/** The code drydock's database pool gives every failure that means "the database is not answering". */
export const DATABASE_UNAVAILABLE = 'DRYDOCK_DATABASE_UNAVAILABLE';

/** What a client is told to wait before retrying while the database is away or busy. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * The database is down, frozen, restarting, or refused to wait any longer (a timeout):
 * nothing was applied, and the same request may succeed in a moment. Answered as
 * 503 service_unavailable with Retry-After, never as a 500.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = DATABASE_UNAVAILABLE;

  constructor(readonly reason: string) {
    super(`The database is not available (${reason}).`);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Prisma's own codes for the same conditions: can't reach (P1001), timed out (P1002,
 * P1008), connection closed (P1017), no connection in time (P2024), a transaction that
 * could not start or outlived its timeout (P2028).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

/** Whether `error`, or anything it wraps, means the database did not answer. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === DATABASE_UNAVAILABLE || (typeof code === 'string' && PRISMA_CODES.has(code)))
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
