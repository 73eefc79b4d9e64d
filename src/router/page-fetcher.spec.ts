import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { PageHostAllowList } from '../common/network/address-policy.js';
import { loggablePageUrl, PageFetcher, PageFetchError } from './page-fetcher.js';

/** A self-signed certificate for localhost and 127.0.0.1, trusted by nobody. */
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4n+uywGsp6F523L5
vDW2DD6fqBidSpr7zECt9MbwkEChRANCAAQ0vE6svbTmY/n9Zbq0h5LC1pLAO2FM
fYncAsEsE3+3HXQ+b1zpHU0NYGbzfkVz8NRWhANCRV+LU8OcQaMgArNx
-----END PRIVATE KEY-----`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIULE7enCA6J/XDgPhWw259bgXICT8wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTIwMTUxMFoYDzIxMjYxMTA3
MjAxNTEwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQ0vE6svbTmY/n9Zbq0h5LC1pLAO2FMfYncAsEsE3+3HXQ+b1zpHU0N
YGbzfkVz8NRWhANCRV+LU8OcQaMgArNxo28wbTAdBgNVHQ4EFgQU2eVzROOUSOws
4u7e8/7kqHyHTh0wHwYDVR0jBBgwFoAU2eVzROOUSOws4u7e8/7kqHyHTh0wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgQ3qO5KmEubyQUrZp9TvzONFdda8C3J2seWhBdTZZqVICIQCG
dVuwV3u89JHCq0aH7zEhufWNccuLH/8YBNQEdx/7KA==
-----END CERTIFICATE-----`;

const listen = async (server: net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

const allowing = (raw: string) => PageHostAllowList.parse(raw).allowList;

describe('PageFetcher', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;
  let requests: http.IncomingMessage[] = [];
  const fetchers: PageFetcher[] = [];

  const fetcher = (allowed: string, options: { timeoutMs?: number; maxBytes?: number } = {}) => {
    const made = new PageFetcher({ allowList: allowing(allowed), ...options });
    fetchers.push(made);
    return made;
  };
  const local = (path: string) => `http://127.0.0.1:${port}${path}`;
  const failure = async (promise: Promise<unknown>): Promise<string> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PageFetchError);
    return (error as Error).message;
  };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push(request);
      const redirect = (location: string) => response.writeHead(302, { Location: location }).end();
      const html = (body: string, type = 'text/html') =>
        response.writeHead(200, { 'Content-Type': type }).end(body);
      const url = new URL(request.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/page.html':
          return html('<h1>custom</h1>', 'text/html; charset=iso-8859-1');
        case '/docs-json':
          return html('{"openapi":"3.0.0"}', 'application/json');
        case '/untyped':
          return response.end('<h1>no type</h1>');
        case '/huge.html':
          return html('x'.repeat(2048));
        case '/slow.html':
          return void setTimeout(() => html('<h1>late</h1>'), 1000);
        case '/empty':
          return response.writeHead(204).end();
        case '/to-page':
          return redirect('/page.html');
        case '/to-metadata':
          return redirect('http://169.254.169.254/latest/meta-data/iam?X-Amz-Signature=s3cret');
        case '/to-ftp':
          return redirect('ftp://pages.example.com/page.html');
        case '/hops': {
          const left = Number(url.searchParams.get('left'));
          return left > 0 ? redirect(`/hops?left=${left - 1}`) : redirect('/page.html');
        }
        default:
          return response.writeHead(404, { 'Content-Type': 'text/html' }).end('nope');
      }
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((made) => made.close()));
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    connections = 0;
    requests = [];
  });

  it('refuses a page on a loopback address without connecting, unless the address is allowed', async () => {
    expect(await failure(fetcher('').fetch(local('/page.html')))).toBe(
      'refused: 127.0.0.1 is a loopback address (not in MAINTENANCE_PAGE_ALLOWED_HOSTS)',
    );
    expect(connections).toBe(0);

    const page = await fetcher('127.0.0.0/8').fetch(local('/page.html'));
    expect(page.body.toString()).toBe('<h1>custom</h1>');
    expect(page.contentType).toBe('text/html; charset=iso-8859-1');
    expect(requests).toHaveLength(1);
  });

  it('refuses a host name that resolves to a loopback address, judged on the connected address', async () => {
    const message = await failure(fetcher('').fetch(`http://localhost:${port}/page.html`));
    expect(message).toMatch(
      /^refused: (127\.0\.0\.1|::1) is a loopback address \(not in MAINTENANCE_PAGE_ALLOWED_HOSTS\)$/,
    );
    // It connected (that is where the address is known) but sent no request.
    expect(connections).toBeGreaterThan(0);
    expect(requests).toHaveLength(0);

    for (const allowed of ['localhost', '127.0.0.1']) {
      const page = await fetcher(allowed).fetch(`http://localhost:${port}/page.html`);
      expect(page.body.toString()).toBe('<h1>custom</h1>');
    }
  });

  it('follows up to three redirects, checking every hop', async () => {
    const allowed = fetcher('127.0.0.1');
    expect((await allowed.fetch(local('/to-page'))).body.toString()).toBe('<h1>custom</h1>');
    expect((await allowed.fetch(local('/hops?left=2'))).body.toString()).toBe('<h1>custom</h1>');
    expect(await failure(allowed.fetch(local('/hops?left=3')))).toBe(
      'redirected to ' + local('/hops') + ': redirects more than 3 times',
    );
    expect(await failure(allowed.fetch(local('/to-metadata')))).toBe(
      'redirected to http://169.254.169.254/latest/meta-data/iam: refused: 169.254.169.254 is a link-local address (not in MAINTENANCE_PAGE_ALLOWED_HOSTS)',
    );
    expect(await failure(allowed.fetch(local('/to-ftp')))).toBe(
      'redirected to ftp://pages.example.com/page.html: not an http(s) URL',
    );
  });

  it('serves only a 2xx text/html answer', async () => {
    const allowed = fetcher('127.0.0.1');
    expect(await failure(allowed.fetch(local('/docs-json')))).toBe(
      'is application/json, not text/html',
    );
    expect(await failure(allowed.fetch(local('/untyped')))).toBe(
      'is without a Content-Type, not text/html',
    );
    expect(await failure(allowed.fetch(local('/missing')))).toBe('answered 404');
    expect(await failure(allowed.fetch(local('/empty')))).toBe('answered 204');
  });

  it('keeps to its size cap, its timeout and the byte budget it is given', async () => {
    const allowed = fetcher('127.0.0.1', { maxBytes: 1024, timeoutMs: 200 });
    expect(await failure(allowed.fetch(local('/huge.html')))).toBe('is larger than 1024 bytes');
    expect(await failure(allowed.fetch(local('/slow.html')))).toBe('timed out after 200 ms');
    expect(await failure(allowed.fetch(local('/page.html'), () => false))).toBe(
      'does not fit in the page cache (MAINTENANCE_PAGE_CACHE_BYTES)',
    );
  });

  it('judges an https connection before its TLS handshake starts', async () => {
    let bytes = 0;
    let accepted = 0;
    const raw = net.createServer((socket) => {
      accepted++;
      socket.on('data', (chunk) => (bytes += chunk.length));
    });
    const rawPort = await listen(raw);
    try {
      expect(await failure(fetcher('').fetch(`https://localhost:${rawPort}/page.html`))).toMatch(
        /^refused: (127\.0\.0\.1|::1) is a loopback address/,
      );
      expect(accepted).toBeGreaterThan(0);
      expect(bytes).toBe(0);
    } finally {
      await close(raw);
    }
  });

  it('verifies the certificate of an https page server', async () => {
    const secure = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (_request, response) =>
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>tls</h1>'),
    );
    const securePort = await listen(secure);
    try {
      const message = await failure(
        fetcher('127.0.0.1').fetch(`https://127.0.0.1:${securePort}/page.html`),
      );
      expect(message).toMatch(/^fetch failed: \w*CERT/);
    } finally {
      await close(secure);
    }
  });

  it('never sends the user-info of the URL, nor its fragment', async () => {
    const page = await fetcher('127.0.0.1').fetch(
      `http://user:secret@127.0.0.1:${port}/page.html?v=1#top`,
    );
    expect(page.body.toString()).toBe('<h1>custom</h1>');
    expect(requests[0].url).toBe('/page.html?v=1');
    expect(requests[0].headers.authorization).toBeUndefined();
  });
});

describe('loggablePageUrl', () => {
  it('drops user-info, query string and fragment', () => {
    expect(loggablePageUrl('https://user:pw@pages.example.com:8443/a/b.html?sig=x#y')).toBe(
      'https://pages.example.com:8443/a/b.html',
    );
    expect(loggablePageUrl('not a url')).toBe('(invalid URL)');
  });
});
