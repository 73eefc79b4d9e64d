import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  clientResponseHeaders,
  forwardedFor,
  hasRequestBody,
  requestIdOf,
  upstreamRequestHeaders,
} from './forwarded-headers.js';
import {
  APPLICATION_ERROR_PAGE,
  defaultMaintenancePage,
  MaintenancePages,
  NO_SUCH_APP_PAGE,
} from './maintenance-pages.js';
import { RequestLogLine, RouterLog } from './router-log.js';
import { AppRoute, hostKey, RoutingTable } from './routing-table.js';

export interface ProxyServerOptions {
  table: RoutingTable;
  pages: MaintenancePages;
  log: RouterLog;
  retryAfterSeconds: number;
  /** Time an upstream has to start its response before the router answers H12. */
  requestTimeoutMs: number;
}

const HTML = 'text/html; charset=utf-8';
const PROTOCOL = 'http';

/** Connect-phase failures: nothing reached the app, so a bodiless request may go elsewhere. */
const REFUSED = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EADDRNOTAVAIL',
]);

/** Heroku's router gives a dyno 5 s to accept the connection (H19). */
const CONNECT_TIMEOUT_MS = 5000;

/** The app may have acted on a request before its connection broke: only these are resent. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The router's HTTP server: routes each request by its Host header to the maintenance page,
 * a router error, or one of the app's web dynos, and writes one log line per request.
 */
/** How a request ended, for its access line. */
type Outcome = Pick<RequestLogLine, 'at' | 'status' | 'bytes'> &
  Partial<Pick<RequestLogLine, 'code' | 'desc' | 'dyno' | 'connectMs' | 'serviceMs' | 'fwd'>>;

export class ProxyServer {
  readonly server: http.Server;
  private readonly agent = new http.Agent({
    keepAlive: true,
    maxSockets: Infinity,
    maxFreeSockets: 1024,
    scheduling: 'lifo',
  });
  private readonly retryAfter: string;
  private readonly defaultPages = new WeakMap<AppRoute, Buffer>();

  constructor(private readonly options: ProxyServerOptions) {
    this.retryAfter = String(options.retryAfterSeconds);
    this.server = http.createServer((request, response) => this.handle(request, response));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), graceMs);
      force.unref();
      this.server.close(() => {
        clearTimeout(force);
        this.agent.destroy();
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const host = hostKey(request.headers.host);
    const route = this.options.table.lookup(host);
    const requestId = requestIdOf(request);
    if (route === undefined) {
      this.sendPage(response, 404, NO_SUCH_APP_PAGE, requestId, false);
      this.log(request, host, requestId, {
        at: 'info',
        desc: 'No such app',
        status: 404,
        bytes: NO_SUCH_APP_PAGE.length,
      });
    } else if (route.mode === 'proxy') {
      this.proxy(request, response, route, host, requestId);
    } else if (route.mode === 'maintenance') {
      this.maintenance(request, response, route, host, requestId);
    } else {
      this.routerError(request, response, host, requestId, {
        code: 'H14',
        desc: 'No web dynos running',
        dyno: '',
      });
    }
  }

  private maintenance(
    request: IncomingMessage,
    response: ServerResponse,
    route: AppRoute,
    host: string,
    requestId: string,
  ): void {
    let fallback = this.defaultPages.get(route);
    if (fallback === undefined) {
      fallback = defaultMaintenancePage(route.name);
      this.defaultPages.set(route, fallback);
    }
    const send = (page: Buffer) => {
      this.sendPage(response, 503, page, requestId, true);
      this.log(request, host, requestId, {
        at: 'error',
        code: 'H80',
        desc: 'Maintenance mode',
        status: 503,
        bytes: page.length,
      });
    };
    const page = route.maintenancePageUrl
      ? this.options.pages.page(route.maintenancePageUrl, fallback)
      : fallback;
    if (Buffer.isBuffer(page)) send(page);
    else void page.then(send);
  }

  private routerError(
    request: IncomingMessage,
    response: ServerResponse,
    host: string,
    requestId: string,
    failure: Pick<RequestLogLine, 'code' | 'desc' | 'dyno' | 'connectMs' | 'serviceMs'>,
  ): void {
    this.sendPage(response, 503, APPLICATION_ERROR_PAGE, requestId, false);
    this.log(request, host, requestId, {
      at: 'error',
      status: 503,
      bytes: APPLICATION_ERROR_PAGE.length,
      ...failure,
    });
  }

  private sendPage(
    response: ServerResponse,
    status: number,
    body: Buffer,
    requestId: string,
    retryAfter: boolean,
  ): void {
    if (response.headersSent || response.destroyed) return;
    const headers = [
      'Content-Type',
      HTML,
      'Content-Length',
      String(body.length),
      'Cache-Control',
      'no-store',
      'X-Request-Id',
      requestId,
    ];
    if (retryAfter) headers.push('Retry-After', this.retryAfter);
    response.writeHead(status, headers);
    response.end(body);
  }

  /** One access line: the request's identity plus how it ended. */
  private log(request: IncomingMessage, host: string, requestId: string, outcome: Outcome): void {
    this.options.log.request({
      dyno: '',
      fwd: outcome.fwd ?? forwardedFor(request),
      ...outcome,
      method: request.method ?? '',
      path: request.url ?? '',
      host,
      requestId,
      protocol: PROTOCOL,
    });
  }

  /**
   * Streams the request to a web dyno and its response back, both ways without buffering.
   * A bodiless request is retried once when its connection was refused (on the next dyno:
   * the app never saw it), or when it is idempotent and its reused keep-alive connection was
   * reset (the upstream had just closed it).
   */
  private proxy(
    request: IncomingMessage,
    response: ServerResponse,
    route: AppRoute,
    host: string,
    requestId: string,
  ): void {
    const start = Date.now();
    const fwd = forwardedFor(request);
    const headers = upstreamRequestHeaders(request.rawHeaders, {
      forwardedFor: fwd,
      proto: PROTOCOL,
      port: String(request.socket.localPort ?? ''),
      requestId,
      requestStart: String(start),
    });
    const withBody = hasRequestBody(request);
    const idempotent = IDEMPOTENT.has(request.method ?? '');
    let dyno = route.nextDyno();
    let upstream: http.ClientRequest;
    let upstreamResponse: IncomingMessage | undefined;
    let connectedAt = 0;
    let retried = false;
    let done = false;
    let bytes = 0;

    const timings = (): [number, number] => {
      const connected = connectedAt || Date.now();
      return [connected - start, Date.now() - connected];
    };
    const fail = (code: string, desc: string) => {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      upstream.destroy();
      const [connectMs, serviceMs] = timings();
      this.routerError(request, response, host, requestId, {
        code,
        desc,
        dyno: dyno.name,
        connectMs,
        serviceMs,
      });
    };
    // As on Heroku: 5 s to connect (H19), then the app's time to answer (H12) counts from when
    // the whole request, body included, has been handed over, so slow uploads are not cut.
    let connectTimer: NodeJS.Timeout | undefined;
    let responseTimer: NodeJS.Timeout | undefined;

    const send = () => {
      connectedAt = 0;
      const outgoing = http.request({
        host: dyno.host,
        port: dyno.port,
        method: request.method,
        path: request.url,
        headers,
        agent: this.agent,
      });
      upstream = outgoing;
      outgoing.on('socket', (socket) => {
        // A reused keep-alive socket is connected already: no timer on the common path.
        if (!socket.connecting) return void (connectedAt = Date.now());
        clearTimeout(connectTimer);
        connectTimer = setTimeout(
          () => fail('H19', 'Backend connection timeout'),
          CONNECT_TIMEOUT_MS,
        );
        socket.once('connect', () => {
          connectedAt = Date.now();
          clearTimeout(connectTimer);
        });
      });
      outgoing.on('finish', () => {
        if (done || upstreamResponse !== undefined) return;
        responseTimer ??= setTimeout(
          () => fail('H12', 'Request timeout'),
          this.options.requestTimeoutMs,
        );
      });
      outgoing.on('response', relay);
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (done || upstreamResponse !== undefined || outgoing !== upstream) return;
        const refused = REFUSED.has(error.code ?? '');
        const staleKeepAlive = idempotent && outgoing.reusedSocket && error.code === 'ECONNRESET';
        if (!withBody && !retried && (staleKeepAlive || (refused && route.dynos.length > 1))) {
          retried = true;
          if (refused) dyno = route.nextDyno();
          return send();
        }
        if (refused) fail('H10', 'App crashed');
        else fail('H13', 'Connection closed without response');
      });
      if (withBody) request.pipe(outgoing);
      else outgoing.end();
    };

    const relay = (incoming: IncomingMessage) => {
      if (done) return void incoming.destroy();
      upstreamResponse = incoming;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      const status = incoming.statusCode ?? 502;
      try {
        response.writeHead(
          status,
          incoming.statusMessage,
          clientResponseHeaders(incoming.rawHeaders),
        );
      } catch {
        incoming.destroy();
        return fail('H17', 'Poorly formatted HTTP response');
      }
      incoming.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!response.write(chunk)) incoming.pause();
      });
      response.on('drain', () => incoming.resume());
      incoming.on('end', () => response.end());
      incoming.on('error', () => undefined);
      incoming.on('close', () => {
        if (incoming.complete || done) return;
        done = true;
        response.destroy();
        const [connectMs, serviceMs] = timings();
        this.log(request, host, requestId, {
          at: 'error',
          code: 'H18',
          desc: 'Server Request Interrupted',
          status,
          bytes,
          dyno: dyno.name,
          connectMs,
          serviceMs,
          fwd,
        });
      });
    };

    response.on('finish', () => {
      if (done) return;
      done = true;
      const [connectMs, serviceMs] = timings();
      this.log(request, host, requestId, {
        at: 'info',
        status: response.statusCode,
        bytes,
        dyno: dyno.name,
        connectMs,
        serviceMs,
        fwd,
      });
    });
    response.on('close', () => {
      if (done || response.writableFinished) return;
      done = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      upstream.destroy();
      upstreamResponse?.destroy();
      const [connectMs, serviceMs] = timings();
      this.log(request, host, requestId, {
        at: 'error',
        code: 'H27',
        desc: 'Client Request Interrupted',
        status: 499,
        bytes,
        dyno: dyno.name,
        connectMs,
        serviceMs,
        fwd,
      });
    });

    send();
  }
}
