import { PageHostAllowList } from '../common/network/address-policy.js';
import type { LogDrainLimits } from '../config/app-config.js';
import { checkDrainUrl } from './drain-url.js';

const limits = (overrides: Partial<LogDrainLimits> = {}): LogDrainLimits => ({
  allowList: PageHostAllowList.parse(undefined).allowList,
  allowHttp: false,
  perApp: 5,
  ...overrides,
});
const refusal = (url: unknown, given = limits()) => {
  try {
    checkDrainUrl(url, given);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

describe('drain URL rules', () => {
  it('takes https URLs to public hosts as given, credentials, port and query included', () => {
    for (const url of [
      'https://logs.example.com/drain',
      'https://user:p%40ss@logs.example.com:8443/v1/logs?api_key=abc',
      'https://203.0.113.7/logs',
      'HTTPS://Logs.Example.com',
    ])
      expect(checkDrainUrl(url, limits())).toBe(url);
  });

  it('refuses syslog drains, saying drydock supports HTTPS drains', () => {
    for (const url of ['syslog://logs.example.com:514', 'syslog+tls://logs.example.com:6514'])
      expect(refusal(url)).toMatch(/^drydock supports HTTPS drains only: syslog(\+tls)?:\/\//);
  });

  it('refuses plain http unless the operator allows it', () => {
    expect(refusal('http://logs.example.com/drain')).toMatch(/LOG_DRAINS_ALLOW_HTTP/);
    expect(refusal('http://logs.example.com/drain', limits({ allowHttp: true }))).toBeUndefined();
  });

  it('refuses other schemes, relative, blank, fragment and whitespace URLs', () => {
    for (const url of [
      'ftp://logs.example.com/',
      'logs.example.com/drain',
      '//logs.example.com',
      '',
      undefined,
      42,
      'https://logs.example.com/a b',
      'https://logs.example.com/#frag',
      `https://logs.example.com/${'a'.repeat(2048)}`,
    ])
      expect(refusal(url)).toBeDefined();
  });

  it('refuses hosts that name the local network, unless the operator lists them', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://localhost:8443/',
      'https://api.localhost/',
      'https://10.0.0.5/',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://2130706433/',
    ])
      expect(refusal(url)).toMatch(
        /^Drain URLs must point at a public address: .* LOG_DRAIN_ALLOWED_HOSTS\.$/,
      );
    const allowed = limits({
      allowList: PageHostAllowList.parse('127.0.0.1,logs.internal', 'LOG_DRAIN_ALLOWED_HOSTS')
        .allowList,
    });
    expect(refusal('https://127.0.0.1:9000/', allowed)).toBeUndefined();
    expect(refusal('https://logs.internal/', allowed)).toBeUndefined();
    expect(refusal('https://10.0.0.5/', allowed)).toBeDefined();
  });
});
