import { MalformedUrlError, PathSegmentTooLongError } from '../errors/api-errors.js';
import { decodePathSegment, MAX_PATH_SEGMENT_LENGTH } from './path-segment.js';

describe('decodePathSegment', () => {
  it('decodes escapes, multi-byte UTF-8 included', () => {
    expect(decodePathSegment('my%2Dapp')).toBe('my-app');
    expect(decodePathSegment('%E0%A4%A4')).toBe('\u0924');
    expect(decodePathSegment('alice%40example.com')).toBe('alice@example.com');
  });

  it('refuses malformed, truncated and invalid UTF-8 escapes with 400', () => {
    for (const raw of ['%', '%z', '%zz', '%E0%A4%A', '%E0%A4', '%ff', '%ED%A0%80', 'a%2']) {
      expect(() => decodePathSegment(raw)).toThrow(MalformedUrlError);
    }
  });

  it('refuses an escaped NUL anywhere with 400', () => {
    for (const raw of ['%00', 'a%00', '%00b', 'my%00app']) {
      expect(() => decodePathSegment(raw)).toThrow(MalformedUrlError);
    }
  });

  it('refuses a segment longer than any name or id with 414', () => {
    expect(decodePathSegment('a'.repeat(MAX_PATH_SEGMENT_LENGTH))).toHaveLength(
      MAX_PATH_SEGMENT_LENGTH,
    );
    expect(() => decodePathSegment('a'.repeat(MAX_PATH_SEGMENT_LENGTH + 1))).toThrow(
      PathSegmentTooLongError,
    );
  });
});
