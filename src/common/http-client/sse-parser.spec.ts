import { SseEvent, SseParser } from './sse-parser.js';

function parse(chunks: string[]): { events: SseEvent[]; comments: string[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    (event) => events.push(event),
    (comment) => comments.push(comment),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments, parser };
}

const STREAM =
  'retry: 1000\n\n' +
  'id: 43\nevent: change\ndata: {"version":43}\n\n' +
  ': heartbeat\n\n' +
  'id: 44\nevent: change\ndata: {"version":44}\n\n';

describe('SseParser', () => {
  it('reads events, ids, the retry delay and comments', () => {
    const { events, comments, parser } = parse([STREAM]);
    expect(events).toEqual([
      { id: '43', event: 'change', data: '{"version":43}' },
      { id: '44', event: 'change', data: '{"version":44}' },
    ]);
    expect(comments).toEqual(['heartbeat']);
    expect(parser.retry).toBe(1000);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const whole = parse([STREAM]).events;
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < STREAM.length; i += size) chunks.push(STREAM.slice(i, i + size));
      expect(parse(chunks).events).toEqual(whole);
    }
    for (let cut = 0; cut <= STREAM.length; cut++) {
      expect(parse([STREAM.slice(0, cut), STREAM.slice(cut)]).events).toEqual(whole);
    }
  });

  it('joins multi-line data with newlines', () => {
    const { events } = parse(['data: first\ndata:second\ndata:  third\n\n']);
    expect(events).toEqual([{ id: undefined, event: 'message', data: 'first\nsecond\n third' }]);
  });

  it('accepts CRLF and CR line endings, also with a CRLF split across chunks', () => {
    const crlf = 'id: 1\r\nevent: change\r\ndata: a\r\n\r\n';
    expect(parse([crlf]).events).toEqual([{ id: '1', event: 'change', data: 'a' }]);
    expect(parse(['id: 1\r', '\nevent: change\r', '\ndata: a\r', '\n\r', '\n']).events).toEqual([
      { id: '1', event: 'change', data: 'a' },
    ]);
    expect(parse(['data: a\r\rdata: b\r\r']).events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('dispatches nothing for an event without data and keeps the last id for later events', () => {
    const { events } = parse(['id: 7\nevent: change\n\n', 'data: x\n\n']);
    expect(events).toEqual([{ id: '7', event: 'message', data: 'x' }]);
  });

  it('holds an incomplete event until its blank line arrives', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    parser.push('event: change\ndata: {"version":');
    expect(events).toEqual([]);
    parser.push('45}\n');
    expect(events).toEqual([]);
    parser.push('\n');
    expect(events).toEqual([{ id: undefined, event: 'change', data: '{"version":45}' }]);
  });

  it('ignores a leading byte order mark, unknown fields and a bad retry', () => {
    const { events, parser } = parse(['\uFEFFdata: a\nfoo: bar\nretry: soon\n\n']);
    expect(events).toEqual([{ id: undefined, event: 'message', data: 'a' }]);
    expect(parser.retry).toBeUndefined();
  });
});
