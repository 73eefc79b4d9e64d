import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/common/logging/logger.js';

export interface LogCapture {
  /** drydock's own logger (same redaction), writing here instead of stdout. */
  logger: Logger;
  /** Every line written so far, as written. */
  lines: string[];
  /** The lines parsed. */
  entries(): Record<string, unknown>[];
}

export function captureLogs(level: 'info' | 'debug' = 'info'): LogCapture {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger(level, sink),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
