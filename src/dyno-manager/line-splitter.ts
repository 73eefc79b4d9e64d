import { MAX_MESSAGE_LENGTH, truncate } from '../common/http-client/log-shipper.js';

/**
 * Cuts what a dyno writes into the lines of its log: at each `\n` (a `\r` before it goes),
 * keeping a partial line until its newline or the end of the stream. A line longer than
 * the log takes is cut at 10,000 characters and the rest of it, up to its newline,
 * skipped, so a process that never writes a newline costs bounded memory.
 */
export class LineSplitter {
  private partial = '';
  /** The first 10,000 characters of the current line went out already. */
  private skipping = false;

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      if (this.skipping) this.skipping = false;
      else this.emit(this.partial + chunk.slice(start, newline));
      this.partial = '';
      start = newline + 1;
    }
    if (start === chunk.length || this.skipping) return;
    this.partial += start === 0 ? chunk : chunk.slice(start);
    if (this.partial.length >= MAX_MESSAGE_LENGTH) {
      this.emit(this.partial);
      this.partial = '';
      this.skipping = true;
    }
  }

  /** The stream ended: its last line, if it had no newline. */
  end(): void {
    if (this.partial.length > 0) this.emit(this.partial);
    this.partial = '';
    this.skipping = false;
  }

  private emit(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    this.onLine(text.length > MAX_MESSAGE_LENGTH ? truncate(text) : text);
  }
}
