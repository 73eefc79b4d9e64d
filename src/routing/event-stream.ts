import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the response over from Fastify and opens it as a Server-Sent Events stream that
 * proxies neither buffer nor transform: what the watch hub writes into.
 */
export function openEventStream(reply: FastifyReply, requestId: string): ServerResponse {
  reply.hijack();
  reply.raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'Request-Id': requestId,
  });
  return reply.raw;
}
