import tls from 'node:tls';
import type { Logger } from 'pino';
import { AttachedEnd, AttachedProcess, endClient, TerminalSize } from './attached-process.js';

/**
 * An attached one-off dyno whose client presented its secret, as the manager hands it over.
 * The rendezvous calls, in this order: `prepare` once; then either `abandon` (the process
 * never started), or `started` and later `ended`. When `prepare` rejects it calls nothing
 * more: the manager has dealt with the dyno.
 */
export interface AttachSession {
  /** `id` refuses a second connection for the same dyno; the names go in log lines. */
  readonly dyno: { id: string; appName: string; name: string };
  /** A pseudo-terminal of this size, or none (`--no-tty`, or the CLI's output not a terminal). */
  readonly tty: TerminalSize | null;
  /** Makes the dyno's directory and environment ready; the command runs with exactly `env`. */
  prepare(): Promise<{ command: string; cwd: string; env: Record<string, string> }>;
  /** The process started, leading its own process group: the dyno is up. */
  started(pid: number): void;
  /** The process ended: `status` is its exit code, or 128 + the signal's number. */
  ended(result: { status: number; lastErrorLine?: string }): void;
  /** The process did not start: the client left during `prepare`, or it failed to spawn. */
  abandon(reason: string): void;
}

export interface RendezvousServerOptions {
  host: string;
  /** 0 for any free port. */
  port: number;
  key: string;
  cert: string;
  /**
   * The session for a secret, or null when it is unknown, used or expired. The manager
   * hashes the secret, matches the dyno and marks the secret used.
   */
  authorize(secret: string): Promise<AttachSession | null>;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** How long a client has to finish the TLS handshake and send its secret line. */
  secretTimeoutMs?: number;
  /** After a client hung up, how long its process has to end before it is killed. */
  hangUpGraceMs?: number;
}

export interface RendezvousServer {
  readonly port: number;
  /**
   * Stops accepting, drops the connections still to send a secret, hangs up the attached
   * ones, and resolves once their processes ended.
   */
  close(): Promise<void>;
}

export const REFUSED_LINE = '! Unknown or expired rendezvous secret.\r\n';
/** The Heroku CLI throws away the first chunk it receives, whatever it holds. */
const DISCARDED_LINE = '\r\n';
/** Heroku's secrets are far shorter; a client sending more is not one. */
const SECRET_LINE_LIMIT = 200;
const DEFAULT_SECRET_TIMEOUT_MS = 10_000;
/** A secret is single-use; the dyno it opened is remembered that long (secrets last minutes). */
const USED_MEMORY_MS = 24 * 60 * 60_000;
const CLIENT_GONE = 'The client disconnected before the process started';
const STOPPING = 'The dyno manager is stopping';

/**
 * The TLS endpoint `heroku run` attaches to (`rendezvous://host:port/<secret>`): the CLI
 * connects, verifying the certificate, writes `<secret>\r\n`, discards the first chunk it
 * reads, then bridges its terminal to the connection until the connection closes. Each
 * connection waits only on itself, so a slow or silent client holds nobody else up.
 */
export async function startRendezvousServer(
  options: RendezvousServerOptions,
): Promise<RendezvousServer> {
  const { logger } = options;
  const secretTimeoutMs = options.secretTimeoutMs ?? DEFAULT_SECRET_TIMEOUT_MS;
  const pending = new Set<tls.TLSSocket>();
  const attached = new Set<AttachedProcess>();
  const ends = new Set<Promise<unknown>>();
  const used = new Map<string, number>();
  let closing = false;

  const server = tls.createServer({
    key: options.key,
    cert: options.cert,
    minVersion: 'TLSv1.2',
    handshakeTimeout: secretTimeoutMs,
  });
  server.on('tlsClientError', (error, socket) => {
    logger.debug(
      { remote: socket.remoteAddress, error: error.message },
      'rendezvous handshake failed',
    );
  });
  server.on('secureConnection', (socket) => {
    const handled = handle(socket).catch((error: unknown) => {
      logger.error({ error: String(error) }, 'rendezvous connection failed');
      socket.destroy();
    });
    ends.add(handled);
    void handled.finally(() => ends.delete(handled));
  });

  async function handle(socket: tls.TLSSocket): Promise<void> {
    const remote = socket.remoteAddress;
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    pending.add(socket);
    let line: SecretLine | null;
    try {
      line = await readSecretLine(socket, secretTimeoutMs);
    } finally {
      pending.delete(socket);
    }
    if (!line) {
      logger.info({ remote }, 'rendezvous client sent no secret in time');
      socket.destroy();
      return;
    }

    let session: AttachSession | null = null;
    if (isSecret(line.secret)) {
      try {
        session = await options.authorize(line.secret);
      } catch (error) {
        logger.error({ remote, error: String(error) }, 'rendezvous could not check a secret');
      }
    }
    if (session && used.has(session.dyno.id)) {
      logger.warn({ remote, ...names(session) }, 'rendezvous secret presented again');
      session = null;
    }
    if (!session) {
      logger.info({ remote }, 'rendezvous secret refused');
      refuse(socket, REFUSED_LINE);
      return;
    }
    remember(session.dyno.id);
    logger.info({ remote, ...names(session) }, 'rendezvous client attached');

    let launch: Awaited<ReturnType<AttachSession['prepare']>>;
    if (closing) {
      refuse(socket, `! ${STOPPING}\r\n`);
      return call(session, () => session.abandon(STOPPING));
    }
    if (socket.destroyed) return call(session, () => session.abandon(CLIENT_GONE));
    try {
      launch = await session.prepare();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.info({ ...names(session), error: reason }, 'attached dyno could not be prepared');
      refuse(socket, `! ${reason.replace(/[\r\n]+/g, ' ')}\r\n`);
      return;
    }
    if (closing) {
      refuse(socket, `! ${STOPPING}\r\n`);
      return call(session, () => session.abandon(STOPPING));
    }
    if (socket.destroyed) return call(session, () => session.abandon(CLIENT_GONE));

    await writeDiscardedLine(socket);
    if (socket.destroyed) return call(session, () => session.abandon(CLIENT_GONE));
    if (line.rest.length > 0) socket.unshift(line.rest);
    const child = AttachedProcess.start({ ...launch, tty: session.tty }, socket, {
      hangUpGraceMs: options.hangUpGraceMs,
    });
    if (child.pid !== undefined) {
      attached.add(child);
      call(session, () => session.started(child.pid!));
    }
    const end: AttachedEnd = await child.end;
    attached.delete(child);
    if (end.kind === 'failed') {
      logger.error({ ...names(session), error: end.error }, 'attached process failed to start');
      call(session, () => session.abandon(end.error));
      return;
    }
    logger.info({ ...names(session), status: end.status }, 'attached process ended');
    call(session, () => session.ended({ status: end.status, lastErrorLine: end.lastOutputLine }));
  }

  function remember(id: string): void {
    const now = Date.now();
    for (const [key, at] of used) {
      if (now - at < USED_MEMORY_MS) break;
      used.delete(key);
    }
    used.set(id, now);
  }

  function call(session: AttachSession, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      logger.error({ ...names(session), error: String(error) }, 'attach session callback failed');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    port,
    close: async () => {
      // Not server.close()'s callback: that waits for every connection, attached ones too.
      closing = true;
      server.close();
      for (const socket of pending) socket.destroy();
      for (const child of attached) child.hangUp();
      await Promise.all([...ends]);
    },
  };
}

interface SecretLine {
  secret: string;
  /** What the client sent after the line: the start of its input. */
  rest: Buffer;
}

/** Printable ASCII only; the API makes secrets of letters and digits. */
function isSecret(secret: string): boolean {
  return /^[\x21-\x7e]{1,200}$/.test(secret);
}

function names(session: AttachSession): { app: string; dyno: string } {
  return { app: session.dyno.appName, dyno: session.dyno.name };
}

/**
 * The line the CLI discards, alone in its TLS record: writes queued behind a write in
 * progress are joined into one record, which the CLI reads as one chunk.
 */
function writeDiscardedLine(socket: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => socket.write(DISCARDED_LINE, () => resolve()));
}

/** A message sent as the first chunk would never be shown: it follows the discarded line. */
function refuse(socket: tls.TLSSocket, message: string): void {
  if (socket.destroyed) return;
  void writeDiscardedLine(socket).then(() => endClient(socket, message));
}

/**
 * The first line, without its CR LF, once it came within `timeoutMs` and 200 bytes; null
 * otherwise. Leaves the socket paused so that no input is read before the process runs.
 */
export function readSecretLine(
  socket: tls.TLSSocket,
  timeoutMs: number,
): Promise<SecretLine | null> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (line: SecretLine | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline === -1) {
        if (buffered.length > SECRET_LINE_LIMIT) finish(null);
        return;
      }
      if (newline > SECRET_LINE_LIMIT) return finish(null);
      const end = newline > 0 && buffered[newline - 1] === 0x0d ? newline - 1 : newline;
      finish({
        secret: buffered.subarray(0, end).toString('latin1'),
        rest: buffered.subarray(newline + 1),
      });
    };
    const onClose = () => finish(null);
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
