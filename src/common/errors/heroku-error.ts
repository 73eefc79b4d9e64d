import { HttpException } from '@nestjs/common';
import {
  ApiError,
  MalformedUrlError,
  PathSegmentTooLongError,
  RateLimitError,
  ServiceUnavailableError,
} from './api-errors.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-unavailable.js';

export interface HerokuErrorBody {
  id: string;
  message: string;
}

export interface HerokuErrorResponse {
  status: number;
  body: HerokuErrorBody;
  /** True for failures of ours (5xx): logged with their stack, details withheld. */
  unexpected: boolean;
  /** Headers the answer carries besides the body (Retry-After on 429 and 503). */
  headers?: Record<string, string>;
}

const IDS_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  413: 'request_entity_too_large',
  415: 'unsupported_media_type',
  416: 'requested_range_not_satisfiable',
  422: 'invalid_params',
  429: 'rate_limit',
};

/** Messages for Fastify's own client errors, which are too technical to pass on as they are. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE:
    'Unsupported Content-Type: send JSON with Content-Type: application/json.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but Content-Type is application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body.',
};

/** Maps anything thrown while handling a request to Heroku's error shape and status. */
export function toHerokuError(error: unknown): HerokuErrorResponse {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: { id: error.id, message: error.message },
      unexpected: false,
      headers: headersOf(error),
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      body: {
        id: 'service_unavailable',
        message: 'The database is not answering right now; nothing was changed. Try again shortly.',
      },
      unexpected: false,
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    };
  }
  const rejected = routerRejection(error);
  if (rejected) return toHerokuError(rejected);
  if (error instanceof HttpException) {
    // Nest wraps Fastify's own client errors (body parsing, size) with the original as cause.
    const code = (error.cause as { code?: string } | undefined)?.code;
    return clientOrServer(
      error.getStatus(),
      (code && FASTIFY_MESSAGES[code]) || httpExceptionMessage(error),
    );
  }
  return internalError();
}

/** Fastify's router rejects these before any hook; the machine lookups throw the same errors. */
function routerRejection(error: unknown): ApiError | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (code === 'FST_ERR_BAD_URL') return new MalformedUrlError();
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return new PathSegmentTooLongError();
  return undefined;
}

function headersOf(error: ApiError): Record<string, string> | undefined {
  if (error instanceof RateLimitError) return error.headers;
  if (error instanceof ServiceUnavailableError)
    return { 'Retry-After': String(error.retryAfterSeconds) };
  return undefined;
}

function clientOrServer(status: number, message: string): HerokuErrorResponse {
  if (status >= 400 && status < 500) {
    return {
      status,
      body: { id: IDS_BY_STATUS[status] ?? 'bad_request', message: message || 'Bad request.' },
      unexpected: false,
    };
  }
  return internalError();
}

function internalError(): HerokuErrorResponse {
  return {
    status: 500,
    body: { id: 'internal_server_error', message: 'Internal server error.' },
    unexpected: true,
  };
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}
