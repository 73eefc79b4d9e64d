import { InvalidParamsError } from '../common/errors/api-errors.js';

/** Heroku's process type rule; `run` is kept for one-off dynos. */
const TYPE = /^[-\w]{1,128}$/;
const MAX_TYPES = 50;

/**
 * The app's Procfile, as a JSON object: process type to command, e.g.
 * {"web": "npm start", "worker": "node worker.js"}.
 */
export function parseProcessTypes(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidParamsError(
      'process_types must be an object of process type to command, e.g. {"web": "npm start"}.',
    );
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length > MAX_TYPES)
    throw new InvalidParamsError(`At most ${MAX_TYPES} process types.`);
  for (const [type, command] of entries) {
    if (!TYPE.test(type)) {
      throw new InvalidParamsError(
        `Invalid process type "${type}": use letters, digits, dashes and underscores (1 to 128).`,
      );
    }
    if (type === 'run')
      throw new InvalidParamsError('The process type "run" is reserved for one-off dynos.');
    if (typeof command !== 'string' || !command.trim() || command.length > 4096) {
      throw new InvalidParamsError(
        `The command of ${type} must be a non-empty string of at most 4096 characters.`,
      );
    }
  }
  return body as Record<string, string>;
}

/** A newly declared web process starts with one dyno, others with none (as a first deploy on Heroku). */
export function initialQuantity(type: string): number {
  return type === 'web' ? 1 : 0;
}

/** Whether two Procfiles name the same types with the same commands. */
export function sameProcessTypes(a: Record<string, string>, b: Record<string, string>): boolean {
  const types = Object.keys(a);
  return types.length === Object.keys(b).length && types.every((type) => b[type] === a[type]);
}
