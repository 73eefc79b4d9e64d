export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  comments: string[];
  /** True once the server ended the stream (not when close() aborted it). */
  ended: boolean;
  /** Waits (bounded) until `predicate` holds for the messages received so far. */
  until(predicate: (messages: SseMessage[]) => boolean, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

/** A minimal EventSource over fetch, for tests: collects messages and comment lines. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const stream: SseStream = {
    status: response.status,
    headers: response.headers,
    messages: [],
    comments: [],
    ended: false,
    async until(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(stream.messages)) {
        if (Date.now() > deadline) {
          throw new Error(
            `SSE condition not met in ${timeoutMs} ms; got ${JSON.stringify(stream.messages.map((m) => m.id))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return stream.messages;
    },
    close: () => controller.abort(),
  };
  if (response.status !== 200 || !response.body) return stream;

  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = { data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) stream.messages.push({ ...message, data: data.join('\n') });
        }
      }
    } catch {
      // Aborted by close(), or the connection was cut.
    } finally {
      if (!controller.signal.aborted) stream.ended = true;
    }
  })();
  return stream;
}
