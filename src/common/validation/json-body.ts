import { BadRequestError, InvalidParamsError } from '../errors/api-errors.js';

/** Far deeper than any body drydock takes (a formation batch nests 4 levels). */
export const MAX_JSON_DEPTH = 32;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** NUL, which neither PostgreSQL text nor a process environment can carry; lone surrogates. */
const UNCARRIABLE = /[\0\p{Cs}]/u;
/** The same, and U+FFFD, where lossy decoding put invalid UTF-8 (or an earlier genuine one). */
const UNCARRIABLE_OR_REPLACED = /[\0\p{Cs}\uFFFD]/u;
const QUOTE = '"'.charCodeAt(0);
const BACKSLASH = '\\'.charCodeAt(0);
const OPEN_ARRAY = '['.charCodeAt(0);
const CLOSE_ARRAY = ']'.charCodeAt(0);
const OPEN_OBJECT = '{'.charCodeAt(0);
const CLOSE_OBJECT = '}'.charCodeAt(0);

/**
 * A JSON request body as drydock takes it, checked once for every route: undefined when
 * empty; 400 when nested deeper than MAX_JSON_DEPTH (counted before parsing, without
 * recursion) or not JSON; 422 naming the first key or string that is not valid UTF-8 or
 * holds a NUL or a lone surrogate. `parse` is Fastify's secure parser (`__proto__` refused).
 */
export function parseJsonBody(body: Buffer, parse: (text: string) => unknown): unknown {
  let text: string;
  let lossy = false;
  try {
    text = UTF8.decode(body);
  } catch {
    text = body.toString('utf8');
    lossy = true;
  }
  if (!/\S/.test(text)) return undefined;
  checkDepth(text);
  const value = parse(text);
  checkStrings(value, [], lossy ? UNCARRIABLE_OR_REPLACED : UNCARRIABLE);
  // Invalid bytes outside strings already failed parsing: this cannot be reached, and stays a 4xx.
  if (lossy) throw new BadRequestError('Request body is not valid UTF-8.');
  return value;
}

function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_ARRAY || char === OPEN_OBJECT) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new BadRequestError(
          `Request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`,
        );
      }
    } else if (char === CLOSE_ARRAY || char === CLOSE_OBJECT) {
      depth--;
    }
  }
}

/** Depth is bounded by checkDepth, so this recursion is too. */
function checkStrings(value: unknown, path: (string | number)[], refused: RegExp): void {
  if (typeof value === 'string') {
    if (refused.test(value)) throw uncarriable(value, refused, field(path));
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      checkStrings(value[i], path, refused);
      path.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (refused.test(key)) {
        const parent = field(path);
        throw uncarriable(key, refused, `${parent ? `${parent}: ` : ''}key ${JSON.stringify(key)}`);
      }
      path.push(key);
      checkStrings(item, path, refused);
      path.pop();
    }
  }
}

function field(path: (string | number)[]): string {
  return path.reduce<string>(
    (name, part) =>
      typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part,
    '',
  );
}

function uncarriable(text: string, refused: RegExp, name: string): InvalidParamsError {
  const char = refused.exec(text)![0];
  const subject = name || 'body';
  if (char === '\0') {
    return new InvalidParamsError(
      `${subject}: contains a NUL character (\\u0000), which PostgreSQL cannot store and a process environment cannot carry.`,
    );
  }
  if (char === '\uFFFD') return new InvalidParamsError(`${subject}: is not valid UTF-8.`);
  const code = char.charCodeAt(0).toString(16);
  return new InvalidParamsError(
    `${subject}: contains a lone surrogate (\\u${code}), which is not valid Unicode.`,
  );
}
