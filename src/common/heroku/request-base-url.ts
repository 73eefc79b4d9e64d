import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * `https://host:port` as the client reached us (Fastify honours TRUST_PROXY for both): the
 * base of URLs handed out for the client to call back, unless PUBLIC_URL says otherwise.
 */
export const RequestBaseUrl = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return `${request.protocol}://${request.host}`;
});
