import { Writable } from 'node:stream';
import { pino } from 'pino';
import { RefusalSummary } from './refusal-summary.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

describe('RefusalSummary', () => {
  it('logs one line per window with counts and the clients refused most', () => {
    const { logger, lines } = capture();
    const summary = new RefusalSummary(logger);
    for (let i = 0; i < 7; i++) summary.count(401, '203.0.113.9');
    summary.count(429, '203.0.113.9');
    for (let i = 1; i <= 6; i++) summary.count(401, `198.51.100.${i}`);
    summary.count(401, '198.51.100.6');
    summary.close();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'refused requests',
      unauthorized: 14,
      rate_limited: 1,
      clients: 7,
    });
    const top = lines[0].top_clients as { address: string; refused: number }[];
    expect(top).toHaveLength(5);
    expect(top.slice(0, 2)).toEqual([
      { address: '203.0.113.9', refused: 8 },
      { address: '198.51.100.6', refused: 2 },
    ]);
  });

  it('writes nothing for a quiet window and starts each window afresh', () => {
    const { logger, lines } = capture();
    const summary = new RefusalSummary(logger);
    summary.flush();
    expect(lines).toHaveLength(0);
    summary.count(401, '203.0.113.9');
    summary.flush();
    summary.count(429, '203.0.113.9');
    summary.close();
    expect(lines.map((line) => [line.unauthorized, line.rate_limited])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});
