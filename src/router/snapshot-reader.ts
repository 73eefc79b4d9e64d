import { RoutingProtocolError } from './routing-table.js';

/** No routing entry comes near this; a longer one means the stream is not a snapshot. */
const MAX_ENTRY_CHARS = 1024 * 1024;
/** The snapshot without its entries: `{"version":N,"apps":[]}` and perhaps a few more fields. */
const MAX_SKELETON_CHARS = 64 * 1024;
const APPS_KEY = /"apps"\s*:\s*$/;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Reads a routing snapshot, `{"version":N,"apps":[{...},...]}`, as it arrives, and hands
 * each element of `apps` to `onEntry` as soon as it is complete, parsed on its own.
 *
 * With 100,000 apps the snapshot is ~27 MB of JSON. Parsed whole, it would sit in memory as
 * the bytes, a 27 MB string and a tree of a million objects at once, and the router's heap
 * would keep the room it grew to long after; entry by entry, each parsed entry is garbage
 * before the next chunk arrives.
 *
 * The scanner tracks only what it must: nesting depth and whether it is inside a string.
 * Everything outside the entries (the skeleton) is kept and parsed at the end.
 */
export class SnapshotReader {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside the top-level `apps` array. */
  private inApps = false;
  private sawApps = false;
  private skeleton = '';
  /** Text of the entry being read so far, across chunks; null between entries. */
  private entry: string | null = null;

  constructor(private readonly onEntry: (value: unknown) => void) {}

  write(chunk: Uint8Array): void {
    this.scan(this.decoder.decode(chunk, { stream: true }));
  }

  /** After the last chunk: the snapshot's version. Throws if the document was not a snapshot. */
  end(): number {
    this.scan(this.decoder.decode());
    if (this.depth !== 0 || this.inString || !this.sawApps) {
      throw new RoutingProtocolError('the snapshot ended early or has no apps array');
    }
    let document: unknown;
    try {
      document = JSON.parse(this.skeleton);
    } catch {
      throw new RoutingProtocolError('the snapshot is not valid JSON');
    }
    const version = (document as { version?: unknown }).version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
      throw new RoutingProtocolError('the snapshot needs a numeric version and an apps array');
    }
    return version;
  }

  private scan(text: string): void {
    // Start of the text not yet copied into the skeleton or the current entry.
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === BACKSLASH) this.escaped = true;
        else if (code === QUOTE) this.inString = false;
        continue;
      }
      if (this.inApps && this.depth === 2 && code !== OPEN_BRACE && code !== CLOSE_BRACKET) {
        // Between entries: only separators.
        if (code === COMMA || isWhitespace(code)) continue;
        throw new RoutingProtocolError('apps must hold objects');
      }
      if (code === QUOTE) {
        this.inString = true;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        this.depth++;
        if (this.inApps && this.depth === 3) {
          this.entry = '';
          from = i;
        } else if (this.depth === 2 && code === OPEN_BRACKET && !this.sawApps) {
          this.appendSkeleton(text.slice(from, i + 1));
          from = i + 1;
          if (APPS_KEY.test(this.skeleton.slice(0, -1))) {
            this.inApps = true;
            this.sawApps = true;
          }
        }
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (this.inApps && this.depth === 3 && this.entry !== null) {
          const json = this.entry + text.slice(from, i + 1);
          this.entry = null;
          from = i + 1;
          this.emit(json);
        } else if (this.inApps && this.depth === 2) {
          // The end of apps: the skeleton keeps `[]` and nothing of what was inside.
          this.inApps = false;
          from = i;
        }
        this.depth--;
        if (this.depth < 0) throw new RoutingProtocolError('the snapshot is not valid JSON');
      }
    }
    const rest = text.slice(from);
    if (this.entry !== null) {
      this.entry += rest;
      if (this.entry.length > MAX_ENTRY_CHARS) {
        throw new RoutingProtocolError('a routing entry in the snapshot is too long');
      }
    } else if (!this.inApps) {
      this.appendSkeleton(rest);
    }
  }

  private appendSkeleton(text: string): void {
    this.skeleton += text;
    if (this.skeleton.length > MAX_SKELETON_CHARS) {
      throw new RoutingProtocolError('the snapshot has too much besides its apps');
    }
  }

  private emit(json: string): void {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new RoutingProtocolError('a routing entry in the snapshot is not valid JSON');
    }
    this.onEntry(value);
  }
}
