import {
  canonicalHostname,
  defaultDomainId,
  HostnameProblem,
  MAX_HOSTNAME_LENGTH,
  normalizeCustomHostname,
} from './domain-hostname.js';

const APPS = 'apps.example.com';
const problem = (hostname: string) => {
  try {
    normalizeCustomHostname(hostname, APPS);
  } catch (error) {
    if (error instanceof HostnameProblem) return error.message;
    throw error;
  }
  throw new Error(`${hostname} was accepted`);
};

describe('normalizeCustomHostname', () => {
  it('keeps host names lower case, trimmed, without a trailing dot', () => {
    expect(normalizeCustomHostname('www.example.com', APPS)).toBe('www.example.com');
    expect(normalizeCustomHostname('  WWW.Example.COM. ', APPS)).toBe('www.example.com');
    expect(normalizeCustomHostname('example.com', APPS)).toBe('example.com');
    expect(normalizeCustomHostname('a-1.b2.xn--p1ai', APPS)).toBe('a-1.b2.xn--p1ai');
    expect(normalizeCustomHostname('3com.com', APPS)).toBe('3com.com');
  });

  it('accepts 63-character labels and 253-character names, not more', () => {
    const label63 = 'a'.repeat(63);
    expect(normalizeCustomHostname(`${label63}.com`, APPS)).toBe(`${label63}.com`);
    expect(problem(`a${label63}.com`)).toMatch(/1 to 63 letters/);
    const long = `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.xyzab`;
    expect(long.length).toBe(MAX_HOSTNAME_LENGTH);
    expect(normalizeCustomHostname(long, APPS)).toBe(long);
    expect(problem(`a.${long}`)).toMatch(/255 characters long; a host name has at most 253/);
  });

  it('refuses names without a dot, empty labels and bad characters', () => {
    expect(problem('')).toBe('Hostname is empty.');
    expect(problem(' . ')).toBe('Hostname is empty.');
    expect(problem('localhost')).toMatch(/not a full host name/);
    expect(problem('www..example.com')).toMatch(/not a valid host name/);
    expect(problem('.example.com')).toMatch(/not a valid host name/);
    expect(problem('-www.example.com')).toMatch(/not a valid host name/);
    expect(problem('www-.example.com')).toMatch(/not a valid host name/);
    expect(problem('under_score.example.com')).toMatch(/not a valid host name/);
    expect(problem('www.exa mple.com')).toMatch(/characters DNS names cannot/);
    expect(problem('bücher.example')).toMatch(/xn-- \(punycode\)/);
    expect(problem('www.example.com/path')).toMatch(/not a valid host name/);
  });

  it('refuses IP literals and ports', () => {
    expect(problem('10.0.0.1')).toMatch(/is an IP address/);
    expect(problem('127.1')).toMatch(/is an IP address/);
    expect(problem('::1')).toMatch(/IP addresses and ports/);
    expect(problem('[::1]')).toMatch(/IP addresses and ports/);
    expect(problem('www.example.com:8080')).toMatch(/IP addresses and ports/);
  });

  it('refuses wildcards', () => {
    expect(problem('*.example.com')).toMatch(/wildcard domain/);
  });

  it('refuses APPS_DOMAIN and every name under it: those are default domains', () => {
    expect(problem('apps.example.com')).toMatch(/under apps\.example\.com/);
    expect(problem('other-app.apps.example.com')).toMatch(/under apps\.example\.com/);
    expect(problem('Other-App.APPS.example.com.')).toMatch(/under apps\.example\.com/);
    expect(normalizeCustomHostname('myapps.example.com', APPS)).toBe('myapps.example.com');
    expect(normalizeCustomHostname('example.com', APPS)).toBe('example.com');
  });
});

describe('canonicalHostname', () => {
  it('is how identities in paths are matched', () => {
    expect(canonicalHostname('WWW.Example.com.')).toBe('www.example.com');
  });
});

describe('defaultDomainId', () => {
  it('is a stable version 5 UUID per app', () => {
    const a = defaultDomainId('0b6d6a2e-5f0c-4a53-9d3e-2f6b0c1d9e7a');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(defaultDomainId('0b6d6a2e-5f0c-4a53-9d3e-2f6b0c1d9e7a')).toBe(a);
    expect(defaultDomainId('1b6d6a2e-5f0c-4a53-9d3e-2f6b0c1d9e7a')).not.toBe(a);
  });
});
