import { SseEvent, SseParser } from './sse-parser.js';

/**
 * Reads a Server-Sent Events body to its end, handing each event to `onEvent` (an error it
 * throws ends the reading and reaches the caller). A stream that sends nothing, not even a
 * heartbeat comment, for `idleTimeoutMs` is aborted through `controller` and rejects with
 * "stream idle": a half-open connection must not look like a quiet control plane.
 */
export async function readEventStream(
  body: AsyncIterable<Uint8Array>,
  controller: AbortController,
  idleTimeoutMs: number,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  let lastData = Date.now();
  let idle: Error | undefined;
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastData <= idleTimeoutMs) return;
      idle = new Error('stream idle');
      controller.abort(idle);
    },
    Math.min(5000, idleTimeoutMs),
  );
  const parser = new SseParser(onEvent);
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      lastData = Date.now();
      parser.push(decoder.decode(chunk, { stream: true }));
    }
  } catch (error) {
    throw idle ?? error;
  } finally {
    clearInterval(watchdog);
    controller.abort();
  }
}
