import {
  applyDecorators,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, parseRange, RangeField } from './range.js';

/** Sends a Page as its items: 200 when complete, 206 with `Next-Range` when more remain. */
@Injectable()
export class PageInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result) => {
        if (!(result instanceof Page)) return result;
        if (result.nextRange) {
          const reply = context.switchToHttp().getResponse<FastifyReply>();
          void reply.status(206).header('Next-Range', result.nextRange);
        }
        return result.items;
      }),
    );
  }
}

/** Documents and enables Heroku's Range pagination on a list route. */
export function Paginated(fields: readonly RangeField[]): MethodDecorator {
  const names = fields.map((field) => field.name).join(', ');
  return applyDecorators(
    ApiHeader({
      name: 'Range',
      required: false,
      description: `Heroku list range over ${names}, e.g. "${fields[0].name} ..; max=${DEFAULT_PAGE_SIZE}" (max ${MAX_PAGE_SIZE}, order=asc|desc). A 206 answer carries Next-Range, the header to send for the next page.`,
    }),
    ApiResponse({ status: 206, description: 'One page; more remain (see the Next-Range header)' }),
    UseInterceptors(PageInterceptor),
  );
}

/** The parsed `Range` header for a list route. */
export const ListRangeHeader = createParamDecorator(
  (
    options: { fields: readonly RangeField[]; order?: 'asc' | 'desc' },
    context: ExecutionContext,
  ) => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return parseRange(request.headers.range, options.fields, { order: options.order });
  },
);
