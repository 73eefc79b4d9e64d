import { isIP } from 'node:net';
import { Agent, fetch, type Response } from 'undici';
import { GuardedConnectError, guardedConnector } from '../common/network/guarded-connector.js';
import {
  MAINTENANCE_PAGE_ALLOWED_HOSTS,
  PageHostAllowList,
  refusedPageAddress,
} from '../common/network/address-policy.js';

/** A page as the router sends it: its bytes and the Content-Type its server gave them. */
export interface Page {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Why a page was not fetched, in words fit for the router's log (no URL secrets). */
export class PageFetchError extends Error {}

/** Asks for `bytes` more memory for the page being read; false when they do not fit. */
export type ByteBudget = (bytes: number) => boolean;

export interface PageFetcherOptions {
  allowList: PageHostAllowList;
  /** For the whole fetch, redirects and body included. */
  timeoutMs?: number;
  maxBytes?: number;
}

const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** What the router can repeat as its own Content-Type header (Node refuses the rest). */
const SENDABLE_HEADER = /^[\t\x20-\x7e]{1,200}$/;

/**
 * Fetches maintenance pages for the router, which serves them to anyone: so only from
 * public addresses unless the operator allowed the host (MAINTENANCE_PAGE_ALLOWED_HOSTS).
 * The check is on the address each connection actually reached (after DNS, so a name
 * resolving or rebinding to 127.0.0.1 is caught too), on every redirect hop, before any
 * byte of the request is sent. Only a 2xx text/html answer within the size cap is a page.
 */
export class PageFetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly allowList: PageHostAllowList;
  private readonly agent: Agent;

  constructor(options: PageFetcherOptions) {
    this.allowList = options.allowList;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.agent = new Agent({
      // Names are judged on the address each connection reached, every redirect hop included.
      connect: guardedConnector({
        timeoutMs: this.timeoutMs,
        refusal: (host, address) => {
          const refusal = refusedPageAddress(this.allowList, host, address);
          return refusal && refused(refusal);
        },
      }),
      // A page is fetched about once a minute: connections are not worth keeping.
      keepAliveTimeout: 1000,
      keepAliveMaxTimeout: 1000,
    });
  }

  /** The page at `url`; throws PageFetchError saying why not. */
  async fetch(url: string, budget: ByteBudget = () => true): Promise<Page> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    // Names the hop that failed when it was not the first: "redirected to <url>: ".
    let hop = '';
    try {
      let target = this.target(url);
      for (let redirects = 0; ; redirects++) {
        const response = await fetch(target, {
          dispatcher: this.agent,
          redirect: 'manual',
          signal,
          headers: { Accept: 'text/html' },
        });
        if (!REDIRECTS.has(response.status)) return await this.read(response, budget);
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (redirects === MAX_REDIRECTS)
          throw new PageFetchError(`redirects more than ${MAX_REDIRECTS} times`);
        if (!location) throw new PageFetchError(`answered ${response.status} without Location`);
        hop = `redirected to ${loggablePageUrl(location, target)}: `;
        target = this.target(location, target);
      }
    } catch (error) {
      throw new PageFetchError(hop + this.failure(error));
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** One hop's URL, without user-info (never sent) or fragment; literal addresses checked here. */
  private target(location: string, from?: URL): URL {
    let url: URL;
    try {
      url = new URL(location, from);
    } catch {
      throw new PageFetchError('not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new PageFetchError('not an http(s) URL');
    url.username = '';
    url.password = '';
    url.hash = '';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // Literal addresses are judged before connecting; names once connected (guardedConnector).
    const refusal = isIP(host) ? refusedPageAddress(this.allowList, host, host) : undefined;
    if (refusal) throw new PageFetchError(refused(refusal));
    return url;
  }

  private async read(response: Response, budget: ByteBudget): Promise<Page> {
    const contentType = response.headers.get('content-type')?.trim() ?? '';
    const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
    const problem =
      response.status < 200 || response.status > 299 || !response.body
        ? `answered ${response.status}`
        : mediaType !== 'text/html'
          ? `is ${mediaType.slice(0, 100) || 'without a Content-Type'}, not text/html`
          : Number(response.headers.get('content-length')) > this.maxBytes
            ? `is larger than ${this.maxBytes} bytes`
            : undefined;
    if (problem || !response.body) {
      await response.body?.cancel();
      throw new PageFetchError(problem);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > this.maxBytes) throw new PageFetchError(`is larger than ${this.maxBytes} bytes`);
      if (!budget(chunk.byteLength))
        throw new PageFetchError('does not fit in the page cache (MAINTENANCE_PAGE_CACHE_BYTES)');
      chunks.push(chunk);
    }
    return {
      body: Buffer.concat(chunks, size),
      contentType: SENDABLE_HEADER.test(contentType) ? contentType : 'text/html',
    };
  }

  private failure(error: unknown): string {
    if (error instanceof PageFetchError || error instanceof GuardedConnectError)
      return error.message;
    // The timeout's DOMException is not always an Error instance (it comes from another realm).
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return `timed out after ${this.timeoutMs} ms`;
    if (!(error instanceof Error)) return String(error);
    const cause = error.cause as (Error & { code?: unknown }) | undefined;
    if (cause instanceof PageFetchError || cause instanceof GuardedConnectError)
      return cause.message;
    if (!cause) return error.message;
    return `${error.message}: ${typeof cause.code === 'string' ? cause.code : cause.message}`;
  }
}

function refused(reason: string): string {
  return `refused: ${reason} (not in ${MAINTENANCE_PAGE_ALLOWED_HOSTS})`;
}

/** A page URL as it may be logged: no user-info, query string or fragment. */
export function loggablePageUrl(url: string, base?: URL): string {
  try {
    const parsed = new URL(url, base);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
