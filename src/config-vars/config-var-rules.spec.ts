import { InvalidParamsError } from '../common/errors/api-errors.js';
import {
  applyConfigVarsPatch,
  checkMaintenancePageUrl,
  describeConfigChange,
  parseConfigVarsPatch,
} from './config-var-rules.js';

describe('parseConfigVarsPatch', () => {
  it('takes string values and null removals', () => {
    expect(parseConfigVarsPatch({ FOO: 'bar', OLD: null, EMPTY: '' })).toEqual({
      FOO: 'bar',
      OLD: null,
      EMPTY: '',
    });
  });

  it('refuses malformed keys, non-string values and non-objects', () => {
    for (const body of [
      { 'BAD-KEY': 'x' },
      { 'has space': 'x' },
      { '': 'x' },
      { N: 1 },
      { B: true },
      { O: { a: 1 } },
      { A: ['x'] },
      [],
      'FOO=bar',
      null,
      {},
    ]) {
      expect(() => parseConfigVarsPatch(body)).toThrow(InvalidParamsError);
    }
  });
});

describe('checkMaintenancePageUrl', () => {
  it('accepts http(s) and scheme-relative URLs', () => {
    for (const url of [
      'https://example.com/page.html',
      'http://example.com',
      '//s3.amazonaws.com/bucket/page.html',
    ]) {
      expect(() => checkMaintenancePageUrl(url)).not.toThrow();
    }
  });

  it('refuses everything else', () => {
    for (const url of [
      'ftp://example.com/x',
      'javascript:alert(1)',
      'example.com/page',
      '/page.html',
      '',
      'https://',
      '//',
      'https://exa mple.com',
    ]) {
      expect(() => checkMaintenancePageUrl(url)).toThrow(/MAINTENANCE_PAGE_URL/);
    }
  });
});

describe('applyConfigVarsPatch', () => {
  it('sets, removes, ignores unchanged values and describes it as Heroku does', () => {
    const change = applyConfigVarsPatch(
      { A: '1', B: '2', C: '3' },
      { A: '1', B: 'two', C: null, D: 'new', GONE: null },
    );
    expect(change).toEqual({
      next: { A: '1', B: 'two', D: 'new' },
      set: ['B', 'D'],
      removed: ['C'],
    });
    expect(describeConfigChange(change)).toBe('Set B, D config vars, Remove C config vars');
  });

  it('refuses a config over 32 kB', () => {
    expect(() => applyConfigVarsPatch({}, { BIG: 'x'.repeat(33 * 1024) })).toThrow(/limit/);
  });
});
