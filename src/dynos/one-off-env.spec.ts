import { InvalidParamsError } from '../common/errors/api-errors.js';
import { oneOffEnv, terminalSize, wantsTerminal } from './one-off-env.js';

describe('oneOffEnv', () => {
  it('takes the numbers the Heroku CLI sends for COLUMNS and LINES as their text', () => {
    expect(oneOffEnv({ TERM: 'xterm', COLUMNS: 120, LINES: 40, DEBUG: true })).toEqual({
      TERM: 'xterm',
      COLUMNS: '120',
      LINES: '40',
      DEBUG: 'true',
    });
  });

  it('refuses objects, nulls, non-finite numbers and names that are not variable names', () => {
    for (const env of [
      { A: { b: 1 } },
      { A: null },
      { A: Number.NaN },
      { 'A-B': 'x' },
      { '': 'x' },
    ]) {
      expect(() => oneOffEnv(env)).toThrow(InvalidParamsError);
    }
  });

  it('is empty without env', () => {
    expect(oneOffEnv(undefined)).toEqual({});
  });
});

describe('wantsTerminal', () => {
  it('wants one when the CLI sent a sane size and did not say --no-tty', () => {
    expect(wantsTerminal({ COLUMNS: '80', LINES: '24' }, false)).toBe(true);
    expect(wantsTerminal({ COLUMNS: '80', LINES: '24' }, true)).toBe(false);
    expect(wantsTerminal({ TERM: 'xterm' }, false)).toBe(false);
    expect(terminalSize({ COLUMNS: '0', LINES: '24' })).toBeNull();
    expect(terminalSize({ COLUMNS: '80.5', LINES: '24' })).toBeNull();
  });
});
