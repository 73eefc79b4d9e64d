import { MalformedUrlError, PathSegmentTooLongError } from '../errors/api-errors.js';

/** The longest name or id a path carries: an email address (254, RFC 5321). */
export const MAX_PATH_SEGMENT_LENGTH = 254;

/** A percent-encoded path segment as text; 400 for bad escapes or a NUL, 414 past any name. */
export function decodePathSegment(raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new MalformedUrlError();
  }
  if (value.includes('\0')) throw new MalformedUrlError();
  if (value.length > MAX_PATH_SEGMENT_LENGTH) throw new PathSegmentTooLongError();
  return value;
}
