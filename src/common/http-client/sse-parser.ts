export interface SseEvent {
  /** The last event id seen on the stream (ids carry over to later events, as in EventSource). */
  id: string | undefined;
  event: string;
  data: string;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/**
 * The text/event-stream format as the WHATWG spec parses it: lines end in CRLF, LF or CR
 * (also when a CRLF is split across chunks), `data` lines join with newlines, comments
 * start with a colon, and an event is dispatched on a blank line. Feed it decoded text.
 */
export class SseParser {
  private buffer = '';
  private data = '';
  private hasData = false;
  private eventType = '';
  private lastEventId: string | undefined;
  private afterCarriageReturn = false;
  private started = false;
  /** The reconnection delay the server asked for, in ms. */
  retry: number | undefined;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment?: (comment: string) => void,
  ) {}

  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const text = this.buffer.length > 0 ? this.buffer + chunk : chunk;
    let start = 0;
    if (this.afterCarriageReturn) {
      this.afterCarriageReturn = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      const line = text.slice(start, i);
      if (c === CR) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.afterCarriageReturn = true;
        }
      }
      start = i + 1;
      this.line(line);
    }
    this.buffer = start < text.length ? text.slice(start) : '';
  }

  private line(line: string): void {
    if (line.length === 0) return this.dispatch();
    if (line.charCodeAt(0) === COLON) {
      this.onComment?.(line.slice(line.charCodeAt(1) === SPACE ? 2 : 1));
      return;
    }
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
  }

  private dispatch(): void {
    const event = this.eventType || 'message';
    const data = this.data;
    const hasData = this.hasData;
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    if (hasData) this.onEvent({ id: this.lastEventId, event, data });
  }
}
