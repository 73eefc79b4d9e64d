import { formatRequestLog, formatStateLog, RouterLog } from './router-log.js';

describe('formatRequestLog', () => {
  it("writes an H80 line as Heroku's router does", () => {
    expect(
      formatRequestLog({
        at: 'error',
        code: 'H80',
        desc: 'Maintenance mode',
        method: 'GET',
        path: '/',
        host: 'myapp.localhost',
        requestId: 'abc-123',
        fwd: '127.0.0.1',
        dyno: '',
        status: 503,
        bytes: 1234,
        protocol: 'http',
      }),
    ).toBe(
      'at=error code=H80 desc="Maintenance mode" method=GET path="/" host=myapp.localhost request_id=abc-123 ' +
        'fwd="127.0.0.1" dyno= connect= service= status=503 bytes=1234 protocol=http\n',
    );
  });

  it('writes a proxied request with its dyno and timings', () => {
    expect(
      formatRequestLog({
        at: 'info',
        method: 'POST',
        path: '/items?page=2',
        host: 'myapp.localhost',
        requestId: 'r1',
        fwd: '10.0.0.1, 127.0.0.1',
        dyno: 'web.1',
        connectMs: 1,
        serviceMs: 5,
        status: 200,
        bytes: 42,
        protocol: 'http',
      }),
    ).toBe(
      'at=info method=POST path="/items?page=2" host=myapp.localhost request_id=r1 fwd="10.0.0.1, 127.0.0.1" ' +
        'dyno=web.1 connect=1ms service=5ms status=200 bytes=42 protocol=http\n',
    );
  });

  it('escapes what a client could use to forge fields or lines', () => {
    const line = formatRequestLog({
      at: 'info',
      method: 'GET',
      path: '/"x" status=200\n\\',
      host: 'evil host=x',
      requestId: 'r',
      fwd: '1.2.3.4"',
      dyno: '',
      status: 404,
      bytes: 0,
      protocol: 'http',
    });
    expect(line).toContain('path="/\\"x\\" status=200\\x0a\\\\"');
    expect(line).toContain('host=evil?host?x ');
    expect(line).toContain('fwd="1.2.3.4\\""');
    expect(line.split('\n')).toHaveLength(2);
  });
});

describe('formatStateLog', () => {
  it('quotes values with spaces and leaves out undefined ones', () => {
    expect(
      formatStateLog('error', {
        state: 'disconnected',
        version: 43,
        error: 'fetch failed',
        x: undefined,
      }),
    ).toBe('at=error state=disconnected version=43 error="fetch failed"\n');
  });
});

describe('RouterLog', () => {
  it('writes the request lines of one event loop turn in one write', async () => {
    const writes: string[] = [];
    const log = new RouterLog(
      { write: (text: string) => writes.push(text) },
      { write: () => true },
    );
    const line = {
      at: 'info' as const,
      method: 'GET',
      path: '/',
      host: 'h',
      requestId: 'r',
      fwd: '',
      dyno: '',
      status: 200,
      bytes: 0,
      protocol: 'http',
    };
    log.request(line);
    log.request(line);
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    expect(writes[0].split('\n')).toHaveLength(3);
  });
});

describe("RouterLog and the apps' logs", () => {
  it("hands an app's request line to its log as heroku[router], without the newline", async () => {
    const writes: string[] = [];
    const shipped: string[][] = [];
    const log = new RouterLog(
      { write: (text: string) => writes.push(text) },
      { write: () => true },
      { push: (...line) => shipped.push(line) },
    );
    const line = {
      at: 'error' as const,
      code: 'H80',
      desc: 'Maintenance mode',
      method: 'GET',
      path: '/',
      host: 'myapp.localhost',
      requestId: 'r1',
      fwd: '127.0.0.1',
      dyno: '',
      status: 503,
      bytes: 10,
      protocol: 'http',
    };
    log.request(line, '0b1f7a4e-0000-4000-8000-000000000001');
    log.request({ ...line, host: 'nosuch.localhost', requestId: 'r2' });
    expect(shipped).toEqual([
      [
        '0b1f7a4e-0000-4000-8000-000000000001',
        'heroku',
        'router',
        formatRequestLog(line).trimEnd(),
      ],
    ]);
    expect(shipped[0][3]).not.toContain('\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.join('').split('\n')).toHaveLength(3);
  });
});
