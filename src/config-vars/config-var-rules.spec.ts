import { InvalidParamsError } from '../common/errors/api-errors.js';
import { PageHostAllowList } from '../common/network/address-policy.js';
import {
  applyConfigVarsPatch,
  checkMaintenancePageUrl,
  describeConfigChange,
  parseConfigVarsPatch,
} from './config-var-rules.js';

const NONE = PageHostAllowList.parse('').allowList;

describe('parseConfigVarsPatch', () => {
  it('takes string values and null removals', () => {
    expect(parseConfigVarsPatch({ FOO: 'bar', OLD: null, EMPTY: '' }, NONE)).toEqual({
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
      expect(() => parseConfigVarsPatch(body, NONE)).toThrow(InvalidParamsError);
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
      expect(() => checkMaintenancePageUrl(url, NONE)).not.toThrow();
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
      expect(() => checkMaintenancePageUrl(url, NONE)).toThrow(/MAINTENANCE_PAGE_URL/);
    }
  });

  it('refuses URLs naming a non-public address literally, saying why and what to do', () => {
    for (const [url, why] of [
      ['http://127.0.0.1:3000/docs-json', '127.0.0.1 is a loopback address'],
      ['http://0x7f000001/', '127.0.0.1 is a loopback address'],
      ['http://2130706433/', '127.0.0.1 is a loopback address'],
      ['http://localhost:5432/', 'localhost is a loopback host name'],
      ['https://pgadmin.localhost/', 'pgadmin.localhost is a loopback host name'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
      ['//10.0.0.5/page.html', '10.0.0.5 is a private (RFC 1918) address'],
      ['http://[::1]/', '::1 is a loopback address'],
      ['http://[fd00::1]/', 'fd00::1 is a unique-local address'],
      [
        'http://[::ffff:192.168.0.1]/',
        '::ffff:c0a8:1 is an IPv4-mapped form of 192.168.0.1, a private (RFC 1918) address',
      ],
    ]) {
      expect(() => checkMaintenancePageUrl(url, NONE)).toThrow(
        new InvalidParamsError(
          `MAINTENANCE_PAGE_URL must point at a public address: ${why}. Routers serve this page to anyone, so they do not fetch it from inside their network; host it where the internet can reach it, or ask the operator to allow the host in MAINTENANCE_PAGE_ALLOWED_HOSTS.`,
        ),
      );
    }
  });

  it('accepts what the operator allowed, and host names the router will judge once resolved', () => {
    const allowed = PageHostAllowList.parse('pages.localhost, 10.0.0.0/8').allowList;
    expect(() => checkMaintenancePageUrl('http://pages.localhost/down', allowed)).not.toThrow();
    expect(() => checkMaintenancePageUrl('//10.0.0.5/page.html', allowed)).not.toThrow();
    expect(() => checkMaintenancePageUrl('http://192.168.0.1/', allowed)).toThrow(/public/);
    expect(() => checkMaintenancePageUrl('https://pages.internal/down', NONE)).not.toThrow();
    expect(() => parseConfigVarsPatch({ MAINTENANCE_PAGE_URL: 'http://[::1]/' }, NONE)).toThrow(
      /::1 is a loopback address/,
    );
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

describe('describeConfigChange', () => {
  const keys = (count: number, prefix = 'K') =>
    Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

  it("keeps Heroku's wording for a few keys", () => {
    expect(describeConfigChange({ next: {}, set: ['A', 'B', 'C'], removed: [] })).toBe(
      'Set A, B, C config vars',
    );
    expect(describeConfigChange({ next: {}, set: [], removed: ['OLD'] })).toBe(
      'Remove OLD config vars',
    );
  });

  it('counts the keys past about 100 characters of names', () => {
    const description = describeConfigChange({ next: {}, set: keys(2000), removed: keys(50, 'R') });
    expect(description).toBe(
      'Set K0000, K0001, K0002, K0003, K0004, K0005, K0006, K0007, K0008, K0009, K0010, K0011, K0012, K0013 and 1,986 more config vars, ' +
        'Remove R0000, R0001, R0002, R0003, R0004, R0005, R0006, R0007, R0008, R0009, R0010, R0011, R0012, R0013 and 36 more config vars',
    );
  });

  it('names at least one key, however long', () => {
    const long = 'L'.repeat(255);
    expect(describeConfigChange({ next: {}, set: [long, 'B'], removed: [] })).toBe(
      `Set ${long} and 1 more config vars`,
    );
  });
});

describe('parseConfigVarsPatch limits', () => {
  it('takes up to 2,000 keys in one patch', () => {
    const patch = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`K${i}`, null]));
    expect(Object.keys(parseConfigVarsPatch(patch(2000), NONE))).toHaveLength(2000);
    expect(() => parseConfigVarsPatch(patch(2001), NONE)).toThrow(
      '2,001 config vars in one request; set or remove at most 2,000 at a time.',
    );
  });
});
