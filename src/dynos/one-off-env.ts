import { InvalidParamsError } from '../common/errors/api-errors.js';

const NAME = /^\w{1,255}$/;
const MAX_VALUE_LENGTH = 32 * 1024;

/**
 * A one-off dyno's extra environment as strings. The Heroku CLI sends COLUMNS and LINES as
 * numbers; numbers and booleans are taken as their text, anything else is refused.
 */
export function oneOffEnv(input: Record<string, unknown> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input ?? {})) {
    const text =
      typeof value === 'string'
        ? value
        : (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
          ? String(value)
          : undefined;
    if (!NAME.test(key) || text === undefined || text.length > MAX_VALUE_LENGTH) {
      throw new InvalidParamsError(
        `env: ${key.slice(0, 64)} must be a name of letters, digits and underscores with a string or number value (at most ${MAX_VALUE_LENGTH} characters).`,
      );
    }
    env[key] = text;
  }
  return env;
}

/** A terminal's size from the CLI's COLUMNS and LINES, when both are sane. */
export function terminalSize(
  env: Record<string, string>,
): { columns: number; lines: number } | null {
  const columns = Number(env.COLUMNS);
  const lines = Number(env.LINES);
  const sane = (n: number) => Number.isInteger(n) && n > 0 && n <= 10_000;
  return sane(columns) && sane(lines) ? { columns, lines } : null;
}

/** `heroku run` on a terminal sends its size; `--no-tty` (force_no_tty) declines one. */
export function wantsTerminal(env: Record<string, string>, forceNoTty: boolean): boolean {
  return !forceNoTty && terminalSize(env) !== null;
}
