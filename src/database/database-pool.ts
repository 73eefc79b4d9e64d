import pg from 'pg';
import { DatabaseUnavailableError } from '../common/errors/database-unavailable.js';
import type { DatabaseLimits } from '../config/app-config.js';
import type { DatabaseAvailability } from './database-availability.js';

/**
 * Server errors that mean "not now" rather than "no": shutting down or starting
 * (57P01-57P03) or a connection exception (class 08) say the server is going away; too
 * many connections (53300), a statement or lock timeout (57014, 55P03), a serialization
 * failure or deadlock (40001, 40P01) only that this request should be tried again.
 */
const GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
const TRY_AGAIN = new Set(['53300', '57014', '55P03', '40001', '40P01']);
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The pg pool behind Prisma, bounded in every wait: connecting, each statement (on the
 * server, and on the client for a server too frozen to cancel it), and idle
 * transactions. Every failure that means the database did not answer becomes a
 * DatabaseUnavailableError (503 with Retry-After), and while `availability` says the
 * database is away, connections are refused at once.
 */
export function createDatabasePool(
  url: string,
  limits: DatabaseLimits,
  availability: DatabaseAvailability,
): pg.Pool {
  /**
   * `client` is the connection a query failed on (none: connecting failed). Only a failed
   * connect or a query the server left unanswered says the database is away; one broken
   * connection (a backend terminated, say) fails its own request and is dropped.
   */
  const translate = (error: unknown, client?: pg.Client): unknown => {
    const { code, message } = error as { code?: unknown; message?: string };
    const fromServer = typeof (error as { severity?: unknown }).severity === 'string';
    if (!client || (!fromServer && message === 'Query read timeout')) {
      availability.markUnavailable(String(message));
    }
    const broken = fromServer
      ? GOING_AWAY.has(code as string) || String(code).startsWith('08')
      : isConnectionLoss(error);
    if (!client || broken) {
      // A silent server would hold the transaction's ROLLBACK too: drop the connection now.
      if (client) void client.end().catch(() => undefined);
      return new DatabaseUnavailableError(String(message));
    }
    if (TRY_AGAIN.has(code as string)) return new DatabaseUnavailableError(String(message));
    return error;
  };

  class GuardedClient extends pg.Client {}
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  // pg's query has callback and promise forms; pg-pool and Prisma use both.
  GuardedClient.prototype.query = function guardedQuery(this: pg.Client, ...args: unknown[]) {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) =>
        (callback as (error: unknown, result: unknown) => void)(
          error ? translate(error, this) : error,
          result,
        );
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    return result instanceof Promise
      ? result.catch((error: unknown) => Promise.reject(translate(error, this)))
      : result;
  } as typeof pg.Client.prototype.query;

  type ConnectCallback = (error: unknown, client?: unknown, done?: unknown) => void;
  class GuardedPool extends pg.Pool {}
  const connect = pg.Pool.prototype.connect as (callback?: ConnectCallback) => unknown;
  GuardedPool.prototype.connect = function guardedConnect(
    this: pg.Pool,
    callback?: ConnectCallback,
  ) {
    if (!availability.available) {
      const refused = new DatabaseUnavailableError('it did not answer a moment ago');
      if (!callback) return Promise.reject(refused);
      process.nextTick(callback, refused);
      return undefined;
    }
    if (callback) {
      return connect.call(this, (error, client, done) =>
        callback(error ? translate(error) : error, client, done),
      );
    }
    return (connect.call(this) as Promise<pg.PoolClient>).catch((error: unknown) =>
      Promise.reject(translate(error)),
    );
  } as typeof pg.Pool.prototype.connect;

  return new GuardedPool({
    connectionString: url,
    max: limits.poolSize,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    query_timeout: limits.statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: limits.statementTimeoutMs * 3,
    keepAlive: true,
    Client: GuardedClient,
  });
}

/** pg's own errors for a connection that broke or a query that got no answer in time. */
function isConnectionLoss(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && SOCKET_ERRORS.has(code)) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|Query read timeout|not queryable|connection error|timeout exceeded/i.test(
      message,
    )
  );
}
