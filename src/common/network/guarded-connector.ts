import { isIP, Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import type { buildConnector } from 'undici';

export interface GuardedConnectorOptions {
  timeoutMs: number;
  /** Why the socket that reached `address` for a URL naming `host` must not be used; undefined: use it. */
  refusal(host: string, address: string): string | undefined;
  /** Extra TLS options (a test's certificate authority). */
  tls?: Pick<ConnectionOptions, 'ca'>;
}

/** A connection the guard refused, or one that did not open in time. */
export class GuardedConnectError extends Error {}

/**
 * An undici connector that checks the address each socket reached before TLS or any byte
 * of the request: names are resolved by the connect itself, so a name that resolves (or
 * rebinds) to a refused address is caught on the address actually used.
 */
export function guardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  return (connectOptions, callback) => {
    const { hostname } = connectOptions;
    const https = connectOptions.protocol === 'https:';
    const socket = connectTcp({
      host: hostname,
      port: Number(connectOptions.port) || (https ? 443 : 80),
    });
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    const fail = (error: Error) => {
      if (!settle()) return;
      socket.destroy();
      callback(error, null);
    };
    const succeed = (connected: Socket) => {
      if (settle()) callback(null, connected);
    };
    const timer = setTimeout(
      () => fail(new GuardedConnectError(`could not connect within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    socket.once('error', fail);
    socket.once('connect', () => {
      const refusal = options.refusal(hostname, socket.remoteAddress ?? '');
      if (refusal) return fail(new GuardedConnectError(refusal));
      if (!https) return succeed(socket);
      const secure = connectTls({
        socket,
        host: hostname,
        servername: connectOptions.servername || (isIP(hostname) ? undefined : hostname),
        ALPNProtocols: ['http/1.1'],
        ...options.tls,
      });
      secure.once('error', fail);
      secure.once('secureConnect', () => succeed(secure));
    });
  };
}
