import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { addressKey } from '../rate-limit/client-address.js';
import type { RefusalSummary } from './refusal-summary.js';

/**
 * One line per request, when it completes, with the request id. Only method, path (no
 * query string), status and timing: never headers or bodies, where credentials live.
 * Refusals (401, 429) go to the periodic summary instead, a count per client address.
 */
export class RequestLogController extends LogController {
  constructor(private readonly refusals: RefusalSummary) {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const status = reply.statusCode;
    if (!error && (status === 401 || status === 429)) {
      this.refusals.count(status, addressKey(request.ip));
      return;
    }
    const line = {
      method: request.method,
      path: request.url.split('?', 1)[0],
      status,
      response_time_ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
