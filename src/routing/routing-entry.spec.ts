import { appNameFromHost, hostFromHeader, normalizePageUrl } from './routing-entry.js';

describe('routing entry helpers', () => {
  it('makes scheme-relative page URLs https and keeps the others', () => {
    expect(normalizePageUrl('//s3.amazonaws.com/bucket/page.html')).toBe(
      'https://s3.amazonaws.com/bucket/page.html',
    );
    expect(normalizePageUrl('http://pages.example.com/x')).toBe('http://pages.example.com/x');
    expect(normalizePageUrl(null)).toBeNull();
    expect(normalizePageUrl('')).toBeNull();
  });

  it('reads the app name from a host under the apps domain, with or without port', () => {
    expect(appNameFromHost('myapp.localhost', 'localhost')).toBe('myapp');
    expect(appNameFromHost('MyApp.Apps.Example.com:8080', 'apps.example.com')).toBe('myapp');
    expect(appNameFromHost('myapp', 'localhost')).toBe('myapp');
    expect(appNameFromHost('myapp.other.org', 'localhost')).toBe('myapp.other.org');
  });
});

describe('hostFromHeader', () => {
  it('drops the port and a trailing dot, and lowers the case', () => {
    expect(hostFromHeader('WWW.Example.com:8080')).toBe('www.example.com');
    expect(hostFromHeader('www.example.com.')).toBe('www.example.com');
    expect(hostFromHeader('www.example.com.:80')).toBe('www.example.com');
    expect(hostFromHeader('myapp')).toBe('myapp');
  });
});
