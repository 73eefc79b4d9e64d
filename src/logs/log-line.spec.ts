import { DYNO_FILTER, DYNO_NAME, formatLogLine, matchesFilter } from './log-line.js';

const line = (source: string, dyno: string) => ({ source, dyno });

describe('log filters', () => {
  it('matches a dyno by name, by process type, and the router and api by name', () => {
    const web = { source: null, dyno: 'web' };
    expect(matchesFilter(web, line('app', 'web.1'))).toBe(true);
    expect(matchesFilter(web, line('heroku', 'web.12'))).toBe(true);
    expect(matchesFilter(web, line('app', 'webhook.1'))).toBe(false);
    expect(matchesFilter(web, line('heroku', 'router'))).toBe(false);
    expect(matchesFilter({ source: null, dyno: 'web.1' }, line('app', 'web.12'))).toBe(false);
    expect(matchesFilter({ source: null, dyno: 'router' }, line('heroku', 'router'))).toBe(true);
    expect(matchesFilter({ source: null, dyno: 'api' }, line('app', 'api'))).toBe(true);
  });

  it('matches a source, alone or with a dyno', () => {
    expect(matchesFilter({ source: 'app', dyno: null }, line('app', 'api'))).toBe(true);
    expect(matchesFilter({ source: 'app', dyno: null }, line('heroku', 'router'))).toBe(false);
    expect(matchesFilter({ source: 'heroku', dyno: 'web' }, line('heroku', 'web.1'))).toBe(true);
    expect(matchesFilter({ source: 'heroku', dyno: 'web' }, line('app', 'web.1'))).toBe(false);
    expect(matchesFilter({ source: null, dyno: null }, line('app', 'x.1'))).toBe(true);
  });

  it('knows dyno names from process types', () => {
    expect(DYNO_NAME.test('web.1')).toBe(true);
    expect(DYNO_NAME.test('run.1234')).toBe(true);
    expect(DYNO_NAME.test('web')).toBe(false);
    expect(DYNO_NAME.test('web.0')).toBe(false);
    expect(DYNO_FILTER.test('web')).toBe(true);
    expect(DYNO_FILTER.test('web.1')).toBe(true);
    expect(DYNO_FILTER.test('web.1; drop')).toBe(false);
  });
});

describe('log lines', () => {
  it('prints as Heroku does', () => {
    expect(
      formatLogLine({
        at: '2026-12-01T18:00:00.123456+00:00',
        source: 'heroku',
        dyno: 'router',
        message: 'at=error code=H80 desc="Maintenance mode"',
      }),
    ).toBe(
      '2026-12-01T18:00:00.123456+00:00 heroku[router]: at=error code=H80 desc="Maintenance mode"',
    );
  });
});
