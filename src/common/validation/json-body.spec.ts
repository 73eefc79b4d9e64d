import { BadRequestError, InvalidParamsError } from '../errors/api-errors.js';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body.js';

const parse = (body: string | Buffer) =>
  parseJsonBody(Buffer.isBuffer(body) ? body : Buffer.from(body), JSON.parse);
const message = (body: string | Buffer): string => {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidParamsError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};
const nested = (depth: number, open: string, close: string) =>
  open.repeat(depth) + close.repeat(depth);

describe('parseJsonBody', () => {
  it('parses JSON and takes an empty or blank body for no body', () => {
    expect(parse('{"name":"myapp","process_types":{"web":"npm start"}}')).toEqual({
      name: 'myapp',
      process_types: { web: 'npm start' },
    });
    expect(parse('')).toBeUndefined();
    expect(parse(' \r\n ')).toBeUndefined();
  });

  it('keeps valid Unicode: multi-byte UTF-8, surrogate pairs and escaped U+FFFD', () => {
    expect(
      parse('{"A":"d\u00e9j\u00e0 \u0924 \ud83d\ude80","B":"\\ud83d\\ude80","C":"\\ufffd"}'),
    ).toEqual({
      A: 'd\u00e9j\u00e0 \u0924 \ud83d\ude80',
      B: '\ud83d\ude80',
      C: '\ufffd',
    });
  });

  it(`takes ${MAX_JSON_DEPTH} levels of nesting and refuses one more with 400, unparsed`, () => {
    expect(() => parse(nested(MAX_JSON_DEPTH, '[', ']'))).not.toThrow();
    let parsed = 0;
    const parser = (text: string) => (parsed++, JSON.parse(text));
    for (const body of [
      nested(MAX_JSON_DEPTH + 1, '[', ']'),
      nested(10_000, '[', ']'),
      '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
      '['.repeat(500_000),
    ]) {
      expect(() => parseJsonBody(Buffer.from(body), parser)).toThrow(BadRequestError);
    }
    expect(parsed).toBe(0);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const deepText = JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[' + '{'.repeat(100) });
    expect(parse(deepText)).toEqual(JSON.parse(deepText));
  });

  it('refuses NUL in any string or key with 422 naming the field and saying why', () => {
    expect(message('{"name":"ab\\u0000c"}')).toBe(
      'name: contains a NUL character (\\u0000), which PostgreSQL cannot store and a process environment cannot carry.',
    );
    expect(message('{"process_types":{"web":"npm\\u0000start"}}')).toMatch(/^process_types\.web: /);
    expect(message('{"scope":["global","x\\u0000"]}')).toMatch(/^scope\[1\]: /);
    expect(message('{"updates":[{"size":{"name":"\\u0000"}}]}')).toMatch(
      /^updates\[0\]\.size\.name: /,
    );
    expect(message('{"A\\u0000":"x"}')).toMatch(/^key "A\\u0000": contains a NUL/);
    expect(message('{"env":{"\\u0000":"x"}}')).toMatch(/^env: key "\\u0000": /);
    expect(message('"\\u0000"')).toMatch(/^body: /);
  });

  it('refuses lone surrogates with 422', () => {
    expect(message('{"A":"x\\ud800y"}')).toBe(
      'A: contains a lone surrogate (\\ud800), which is not valid Unicode.',
    );
    expect(message('{"A":"\\udc00"}')).toMatch(/\\udc00/);
    expect(message('{"A":"\\ude80\\ud83d"}')).toMatch(/lone surrogate/);
  });

  it('refuses invalid UTF-8 bytes with 422 naming the field, not a silent U+FFFD', () => {
    const body = Buffer.concat([
      Buffer.from('{"A":"fine","B":"x'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(message(body)).toBe('B: is not valid UTF-8.');
    const truncated = Buffer.concat([Buffer.from('{"name":"\u00e9'), Buffer.from([0xe0, 0xa4])]);
    expect(() => parse(Buffer.concat([truncated, Buffer.from('"}')]))).toThrow(InvalidParamsError);
    const overlongNul = Buffer.concat([
      Buffer.from('{"A":"'),
      Buffer.from([0xc0, 0x80]),
      Buffer.from('"}'),
    ]);
    expect(message(overlongNul)).toBe('A: is not valid UTF-8.');
  });

  it('leaves malformed JSON to the parser', () => {
    expect(() => parse('{"a":')).toThrow(SyntaxError);
  });
});
