export interface JsonClientOptions {
  /** Without a trailing slash, so paths can be appended. */
  baseUrl: string;
  token: string;
  /** A request that has not answered by then is aborted (and fails like a network error). */
  timeoutMs?: number;
}

export interface JsonResponse {
  status: number;
  /** The parsed body; undefined when it was empty or not JSON. */
  body: unknown;
}

/**
 * JSON over HTTP with a bearer token, for the processes that talk to the control plane's
 * machine APIs. Every answer comes back with its status: what a 404 or a 409 means is the
 * caller's business; only the network (or the timeout) throws.
 */
export class JsonClient {
  private readonly timeoutMs: number;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly options: JsonClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    const response = await this.fetch(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, body: parsed };
  }

  /**
   * A raw request with the token; the caller reads or cancels the body. The timeout covers
   * reading the body too (a stalled download fails); `timeoutMs: null` is for streams that
   * stay open, which `init.signal` ends.
   */
  async fetch(
    path: string,
    init: RequestInit = {},
    timeoutMs: number | null = this.timeoutMs,
  ): Promise<Response> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer =
      timeoutMs === null
        ? undefined
        : setTimeout(
            () => controller.abort(new Error(`no answer within ${timeoutMs}ms`)),
            timeoutMs,
          );
    const release = () => {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    };
    const signal = init.signal
      ? AbortSignal.any([init.signal, controller.signal])
      : controller.signal;
    try {
      const response = await fetch(`${this.options.baseUrl}${path}`, {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${this.options.token}` },
        signal,
      });
      if (!response.body) {
        release();
        return response;
      }
      // Released once the body is read to its end, cancelled, or fails (an abort too).
      const reader = response.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(stream) {
          try {
            const { done, value } = await reader.read();
            if (done) {
              release();
              stream.close();
            } else {
              stream.enqueue(value);
            }
          } catch (error) {
            release();
            stream.error(error);
          }
        },
        cancel(reason) {
          release();
          return reader.cancel(reason);
        },
      });
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      release();
      throw signal.aborted && signal.reason instanceof Error ? signal.reason : error;
    }
  }

  /** Aborts every request in flight (at shutdown). */
  abortAll(): void {
    for (const controller of this.inFlight) controller.abort(new Error('client stopped'));
  }
}
