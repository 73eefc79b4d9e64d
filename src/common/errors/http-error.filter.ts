import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHerokuError } from './heroku-error.js';

/** The one place where errors become HTTP responses, in Heroku's `{id, message}` shape. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendHerokuError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

/**
 * The filter's answer, also for what Fastify's router rejects before Nest or any hook runs
 * (`frameworkErrors`), hence the Request-Id header here.
 */
export function sendHerokuError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { status, body, unexpected, headers } = toHerokuError(error);
  if (unexpected) {
    request.log.error({ err: error }, 'request failed unexpectedly');
  }
  if (!reply.sent) {
    if (headers) void reply.headers(headers);
    void reply
      .status(status)
      .header('Request-Id', request.id)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(body);
  }
}
