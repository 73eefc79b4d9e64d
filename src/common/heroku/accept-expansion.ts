import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

/** The names in an `Accept-Expansion` header ("region", "addon_service,plan"). */
export function parseAcceptExpansion(header: string | string[] | undefined): Set<string> {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return new Set(
    values
      .flatMap((value) => value.split(','))
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name.length > 0),
  );
}

/**
 * Documents Heroku's `Accept-Expansion` header on a route: each named foreign key is sent
 * as the full resource instead of its `{id, name}` reference. Other names are ignored, as
 * Heroku does.
 */
export function Expandable(...fields: string[]): MethodDecorator {
  return ApiHeader({
    name: 'Accept-Expansion',
    required: false,
    description: `Comma-separated fields to send in full: ${fields.join(', ')}`,
    example: fields.join(','),
  });
}

/** The fields the request's `Accept-Expansion` header asks to expand. */
export const AcceptExpansion = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  parseAcceptExpansion(
    context.switchToHttp().getRequest<FastifyRequest>().headers['accept-expansion'],
  ),
);
