import { RouteConfig } from '@nestjs/platform-fastify';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';

const RAW_BODY = 'drydockRawBody';

/**
 * Marks a route whose handler reads the request body itself, as a stream (`request.raw`),
 * whatever its Content-Type: a slug archive PUT to its blob URL, as to S3.
 */
export const RawBody = (): MethodDecorator => RouteConfig({ [RAW_BODY]: true });

function isRawBodyRoute(request: FastifyRequest): boolean {
  return (
    (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[RAW_BODY] ===
    true
  );
}

/**
 * Lets @RawBody() routes take any body unparsed, while every other route still parses JSON
 * and answers any other media type with Fastify's 415, as before.
 */
export function allowRawBodies(fastify: FastifyInstance): void {
  // Without a Content-Type, Fastify hands the body to the catch-all parser below, which
  // leaves it unread; so no JSON parser ever buffers an archive sent as application/json.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (isRawBodyRoute(request)) delete request.headers['content-type'];
    done(null, payload);
  });
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    if (isRawBodyRoute(request)) done(null, undefined);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
}
