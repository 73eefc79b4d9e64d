import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { HerokuErrorDto } from './heroku-error.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'bad_request: malformed JSON or request',
  404: 'not_found: no such resource',
  409: 'conflict: the resource changed or is in use',
  410: 'gone: the requested version is no longer retained',
  413: 'request_entity_too_large: body over the size limit',
  416: 'requested_range_not_satisfiable: malformed Range header',
  422: 'invalid_params: a field is missing, malformed or not allowed',
  503: 'encryption_key_unavailable: a stored secret is sealed with a key this replica lacks',
};

/** Documents the Heroku-shaped error answers a route can give, besides 401/403. */
export function ApiErrors(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: HerokuErrorDto }),
    ),
  );
}
