import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHerokuError } from './heroku-error.js';

/** The one place where errors become HTTP responses, in Heroku's `{id, message}` shape. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, unexpected, headers } = toHerokuError(error);
    if (unexpected) {
      request.log.error({ err: error }, 'request failed unexpectedly');
    }
    if (!reply.sent) {
      if (headers) void reply.headers(headers);
      void reply
        .status(status)
        .header('Content-Type', 'application/json; charset=utf-8')
        .send(body);
    }
  }
}
