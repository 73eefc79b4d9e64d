import { frameId, overflowLine, priorityOf, syslogFrame } from './logplex-frames.js';

describe("Heroku's HTTPS drain frames", () => {
  it('counts the octets after the space, newline included, as Logplex does', () => {
    // Heroku's own example: 89 octets for this state change.
    const frame = syslogFrame({
      at: '2016-10-15T08:59:08.723822+00:00',
      source: 'heroku',
      dyno: 'web.1',
      message: 'State changed from up to down',
    });
    expect(frame).toBe(
      '89 <45>1 2016-10-15T08:59:08.723822+00:00 host heroku web.1 - State changed from up to down\n',
    );
  });

  it('counts bytes, not characters, for messages beyond ASCII', () => {
    const frame = syslogFrame({
      at: '2026-12-01T18:00:00.000000+00:00',
      source: 'app',
      dyno: 'web.1',
      message: 'héllo ☃',
    });
    const [length, rest] = [
      frame.slice(0, frame.indexOf(' ')),
      frame.slice(frame.indexOf(' ') + 1),
    ];
    expect(Number(length)).toBe(Buffer.byteLength(rest));
    expect(Number(length)).toBeGreaterThan(rest.length);
  });

  it("gives each source Heroku's priority", () => {
    expect(priorityOf({ source: 'heroku', dyno: 'router' })).toBe(158);
    expect(priorityOf({ source: 'app', dyno: 'web.1' })).toBe(190);
    expect(priorityOf({ source: 'app', dyno: 'run.3' })).toBe(190);
    expect(priorityOf({ source: 'app', dyno: 'api' })).toBe(45);
    expect(priorityOf({ source: 'heroku', dyno: 'worker.2' })).toBe(45);
    expect(priorityOf({ source: 'heroku', dyno: 'logplex' })).toBe(172);
  });

  it("words lost lines as Heroku's L10, in whole seconds", () => {
    const line = overflowLine(
      1234,
      new Date('2026-12-01T18:00:00.987Z'),
      new Date('2026-12-01T18:05:01.5Z'),
    );
    expect(syslogFrame(line)).toBe(
      '146 <172>1 2026-12-01T18:05:01+00:00 host heroku logplex - Error L10 (output buffer overflow): 1234 messages dropped since 2026-12-01T18:00:00+00:00.\n',
    );
  });

  it('names a retried delivery as the first one, and another delivery otherwise', () => {
    const id = frameId('d1', 10, 20, 0);
    expect(id).toMatch(/^[0-9A-F]{32}$/);
    expect(frameId('d1', 10, 20, 0)).toBe(id);
    expect(frameId('d1', 10, 21, 0)).not.toBe(id);
    expect(frameId('d2', 10, 20, 0)).not.toBe(id);
    expect(frameId('d1', 10, 20, 5)).not.toBe(id);
  });
});
