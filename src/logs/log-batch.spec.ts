import { ApiError } from '../common/errors/api-errors.js';
import { MAX_BATCH_LINES, parseLogBatch, refusedLine } from './log-batch.js';

const NOW = new Date('2026-12-01T18:00:00.000Z');
const APP = '5a1c5a57-0f0b-4a2e-8d7e-3f1d2c4b5a69';
const line = (fields: Record<string, unknown> = {}) => ({
  app_id: APP,
  source: 'heroku',
  dyno: 'router',
  message: 'at=info method=GET path="/"',
  ...fields,
});

function refusal(body: unknown): { status: number; message: string } {
  try {
    parseLogBatch(body, NOW);
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('log ingest batches', () => {
  it('reads lines in order, dated as sent or at receipt', () => {
    const lines = parseLogBatch(
      {
        lines: [
          line({ time: '2026-12-01T17:59:59.5Z' }),
          line({ dyno: 'web.1', source: 'app', app_id: APP.toUpperCase() }),
        ],
      },
      NOW,
    );
    expect(lines).toEqual([
      {
        appId: APP,
        source: 'heroku',
        dyno: 'router',
        loggedAt: new Date('2026-12-01T17:59:59.500Z'),
        message: 'at=info method=GET path="/"',
      },
      {
        appId: APP,
        source: 'app',
        dyno: 'web.1',
        loggedAt: NOW,
        message: 'at=info method=GET path="/"',
      },
    ]);
  });

  it('dates a line from the far future at its receipt', () => {
    const [future] = parseLogBatch({ lines: [line({ time: '2027-01-01T00:00:00Z' })] }, NOW);
    expect(future.loggedAt).toEqual(NOW);
  });

  it('refuses a malformed batch whole, naming the first bad line', () => {
    expect(refusal(null)).toMatchObject({ status: 422 });
    expect(refusal({ lines: 'x' })).toMatchObject({
      status: 422,
      message: 'lines: expected an array.',
    });
    expect(refusal({ lines: [], extra: 1 })).toMatchObject({
      status: 422,
      message: 'extra: unknown field.',
    });
    expect(refusal({ lines: [line(), line({ app_id: 'myapp' })] }).message).toMatch(
      /^lines\[1\]\.app_id/,
    );
    expect(refusal({ lines: [line({ source: 'kernel' })] }).message).toMatch(/^lines\[0\]\.source/);
    expect(refusal({ lines: [line({ dyno: 'web' })] }).message).toMatch(/^lines\[0\]\.dyno/);
    expect(refusal({ lines: [line({ dyno: 'api', source: 'app' })] }).message).toMatch(
      /^lines\[0\]\.dyno/,
    );
    expect(refusal({ lines: [line({ message: 'two\nlines' })] }).message).toMatch(
      /without CR or LF/,
    );
    expect(refusal({ lines: [line({ message: 'nul\u0000' })] }).message).toMatch(/NUL/);
    expect(refusal({ lines: [line({ message: 'x'.repeat(10_001) })] }).message).toMatch(
      /at most 10000/,
    );
    expect(refusal({ lines: [line({ time: 'yesterday' })] }).message).toMatch(/ISO 8601/);
    expect(refusal({ lines: [line({ token: 'x' })] }).message).toMatch(
      /lines\[0\]\.token: unknown field/,
    );
  });

  it('refuses a batch over the line limit with 413', () => {
    expect(
      refusal({ lines: Array.from({ length: MAX_BATCH_LINES + 1 }, () => line()) }).status,
    ).toBe(413);
  });
});

describe('who may write which lines', () => {
  const [router] = parseLogBatch({ lines: [line()] }, NOW);
  const [app] = parseLogBatch({ lines: [line({ source: 'app', dyno: 'web.1' })] }, NOW);
  const [state] = parseLogBatch({ lines: [line({ source: 'heroku', dyno: 'run.3' })] }, NOW);

  it('lets a router write only heroku[router]', () => {
    expect(refusedLine('router', router)).toBeUndefined();
    expect(refusedLine('router', app)).toMatch(/only heroku\[router\]/);
    expect(refusedLine('router', state)).toMatch(/only heroku\[router\]/);
  });

  it("lets a dyno manager write its dynos' lines but not the router's", () => {
    expect(refusedLine('dyno-manager', app)).toBeUndefined();
    expect(refusedLine('dyno-manager', state)).toBeUndefined();
    expect(refusedLine('dyno-manager', router)).toMatch(/only its dynos/);
  });
});
