import { Writable } from 'node:stream';
import { chooseLogFormat, createLogger, parseLogFormat } from './logger.js';

/** A destination that keeps what the logger wrote. */
function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('log format', () => {
  it('is pretty on a terminal and JSON on a pipe when auto, else as LOG_FORMAT says', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('reads LOG_FORMAT case-insensitively, auto when unset', () => {
    expect(parseLogFormat(undefined)).toBe('auto');
    expect(parseLogFormat('')).toBe('auto');
    expect(parseLogFormat('Pretty')).toBe('pretty');
    expect(parseLogFormat('logfmt')).toBeUndefined();
  });

  it('writes one JSON line per event by default', () => {
    const out = capture();
    createLogger('info', out.stream).info({ request_id: 'r1' }, 'hello');
    const line = JSON.parse(out.text());
    expect(line).toMatchObject({ level: 30, service: 'drydock', request_id: 'r1', msg: 'hello' });
  });

  it('writes readable lines when pretty, with credentials redacted as in JSON', () => {
    const out = capture();
    const log = createLogger('info', out.stream, 'pretty');
    log.info(
      { req: { headers: { authorization: 'Bearer drydock_secret_token' } }, token: 'drydock_t2' },
      'request completed',
    );
    const text = out.text();
    expect(text).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: request completed\n/);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('drydock_secret_token');
    expect(text).not.toContain('drydock_t2');
    expect(() => JSON.parse(text)).toThrow();
  });
});
