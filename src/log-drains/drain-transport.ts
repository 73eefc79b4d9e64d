import { Agent, request } from 'undici';
import { GuardedConnectError, guardedConnector } from '../common/network/guarded-connector.js';
import { PageHostAllowList, refusedPageAddress } from '../common/network/address-policy.js';
import { LOG_DRAIN_ALLOWED_HOSTS } from './drain-url.js';

export const DELIVERY_TIMEOUT_MS = 10_000;
/** Logplex's User-Agent is `Logplex/<version>`; receivers look for the prefix. */
export const DRAIN_USER_AGENT = 'Logplex/drydock';

export interface DrainPost {
  url: string;
  token: string;
  frameId: string;
  /** Octet-counted syslog frames. */
  body: string;
  count: number;
  /** Aborts the delivery (the process is stopping): post then rejects. */
  signal?: AbortSignal;
}

/**
 * What a drain made of a delivery: took it (2xx); refused it for good (a 4xx other than
 * 408 and 429, which Logplex drops rather than retries); or failed, to be tried again.
 * `reason` never holds the URL.
 */
export type DrainOutcome =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'refused'; status: number; reason: string }
  | { outcome: 'failed'; reason: string };

export interface DrainTransportOptions {
  allowList: PageHostAllowList;
  timeoutMs?: number;
  /** A certificate authority to trust besides the system's (tests). */
  ca?: string;
}

/**
 * POSTs batches to drains in Heroku's HTTPS drain format. Connections go only where the
 * address rules allow, checked on the address each connection reached (so a drain's name
 * that resolves to a private address is refused, however its DNS changes), and every
 * delivery is bounded in time. The URL's user-info becomes Basic authentication, as
 * Logplex sends it; redirects are not followed.
 */
export class DrainTransport {
  private readonly agent: Agent;
  readonly timeoutMs: number;

  constructor(options: DrainTransportOptions) {
    this.timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    this.agent = new Agent({
      connect: guardedConnector({
        timeoutMs: this.timeoutMs,
        refusal: (host, address) => {
          const refusal = refusedPageAddress(options.allowList, host, address);
          return refusal && `refused: ${refusal} (not in ${LOG_DRAIN_ALLOWED_HOSTS})`;
        },
        tls: options.ca ? { ca: options.ca } : undefined,
      }),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  async post(post: DrainPost): Promise<DrainOutcome> {
    const target = new URL(post.url);
    const headers: Record<string, string> = {
      'Content-Type': 'application/logplex-1',
      'Logplex-Msg-Count': String(post.count),
      'Logplex-Frame-Id': post.frameId,
      'Logplex-Drain-Token': post.token,
      'User-Agent': DRAIN_USER_AGENT,
    };
    if (target.username || target.password) {
      const user = decodeURIComponent(target.username);
      const password = decodeURIComponent(target.password);
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = post.signal ? AbortSignal.any([post.signal, timeout]) : timeout;
    try {
      const response = await request(target, {
        method: 'POST',
        headers,
        body: post.body,
        dispatcher: this.agent,
        signal,
      });
      // Nothing of the answer is read; its connection is kept for the next delivery.
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { outcome: 'delivered', status };
      if (status >= 400 && status < 500 && status !== 408 && status !== 429)
        return { outcome: 'refused', status, reason: `answered ${status}` };
      return { outcome: 'failed', reason: `answered ${status}` };
    } catch (error) {
      if (post.signal?.aborted) throw error;
      return { outcome: 'failed', reason: this.describe(error, timeout.aborted) };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Why a delivery failed, without the URL (undici's messages name the host at most). */
  private describe(error: unknown, timedOut: boolean): string {
    if (timedOut) return `timed out after ${this.timeoutMs} ms`;
    const failure = error as { code?: unknown; message?: unknown; cause?: unknown };
    const cause = failure.cause as { code?: unknown } | undefined;
    if (error instanceof GuardedConnectError) return error.message;
    if (failure.cause instanceof GuardedConnectError) return failure.cause.message;
    const code = typeof failure.code === 'string' ? failure.code : cause?.code;
    return typeof code === 'string' ? `could not connect (${code})` : 'could not deliver';
  }
}
