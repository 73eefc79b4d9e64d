import { LineSplitter } from './line-splitter.js';

describe('LineSplitter', () => {
  const split = (...chunks: string[]) => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    for (const chunk of chunks) splitter.write(chunk);
    return { lines, end: () => (splitter.end(), lines) };
  };

  it('cuts at each newline and drops the carriage return before it', () => {
    expect(split('one\ntwo\r\n\nthree\n').lines).toEqual(['one', 'two', '', 'three']);
  });

  it('keeps a partial line until its newline, across chunks', () => {
    const { lines, end } = split('listen', 'ing on ', '5000\nnext');
    expect(lines).toEqual(['listening on 5000']);
    expect(end()).toEqual(['listening on 5000', 'next']);
  });

  it('writes nothing more at the end when the last line had its newline', () => {
    expect(split('done\n').end()).toEqual(['done']);
  });

  it('cuts a line at 10,000 characters and skips the rest of it', () => {
    const long = 'x'.repeat(6000);
    const { lines, end } = split(long, long, long, 'tail\nafter\n');
    expect(lines).toEqual(['x'.repeat(10_000), 'after']);
    expect(end()).toHaveLength(2);
  });

  it('cuts a long line that arrives in one chunk', () => {
    expect(split(`${'y'.repeat(12_000)}\nok\n`).lines).toEqual(['y'.repeat(10_000), 'ok']);
  });

  it('flushes a partial line of exactly the limit at once, then skips to the newline', () => {
    const { lines } = split('z'.repeat(10_000), 'more', '\nnext\n');
    expect(lines).toEqual(['z'.repeat(10_000), 'next']);
  });
});
