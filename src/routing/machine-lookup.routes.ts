import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AuthService, checkAccess } from '../auth/auth.service.js';
import type { Principal } from '../common/auth/principal.js';
import { RateLimits } from '../auth/rate-limits.service.js';
import type { Access } from '../common/auth/scopes.js';
import { toHerokuError } from '../common/errors/heroku-error.js';
import { decodePathSegment, MAX_PATH_SEGMENT_LENGTH } from '../common/heroku/path-segment.js';
import { requestIdFor } from '../common/heroku/request-id.js';
import type { RefusalSummary } from '../common/logging/refusal-summary.js';
import { RoutingService } from './routing.service.js';

interface Lookup {
  prefix: string;
  access: Access;
  answer: (principal: Principal, app: string) => string;
}

/**
 * The two lookups routers and schedulers make thousands of times a second, answered
 * straight from the HTTP server before Fastify and Nest see the request: their
 * per-request hooks and pipeline cost twice the lookup itself (see bench/). Same token
 * check, machine budget, Heroku error shape and Request-Id; successful lookups are not
 * logged, refusals (401, 429) are counted in the refusal summary.
 * Documented in the OpenAPI document by `describeMachineLookups`.
 */
@Injectable()
export class MachineLookupRoutes {
  private readonly lookups: Lookup[];
  private logger?: Logger;
  private refusals?: RefusalSummary;

  constructor(
    private readonly auth: AuthService,
    private readonly limits: RateLimits,
    routing: RoutingService,
  ) {
    this.lookups = [
      {
        prefix: '/routing/v1/apps/',
        access: 'routing',
        answer: (principal, app) => routing.lookup(principal, app),
      },
      {
        prefix: '/scheduler/v1/apps/',
        access: 'scheduler',
        answer: (principal, app) => JSON.stringify(routing.scheduling(principal, app)),
      },
    ];
  }

  /** Errors of ours (5xx) are logged here, with the request id; refusals are counted. */
  useLogger(logger: Logger, refusals: RefusalSummary): this {
    this.logger = logger;
    this.refusals = refusals;
    return this;
  }

  /** Answers the request if it is one of the lookups; false leaves it to Fastify. */
  handle = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' || !request.url) return false;
    const lookup = this.lookups.find((candidate) => request.url!.startsWith(candidate.prefix));
    if (!lookup) return false;
    const end = request.url.indexOf('?');
    const raw = request.url.slice(lookup.prefix.length, end === -1 ? undefined : end);
    if (!raw || raw.includes('/')) return false;

    const requestId = requestIdFor(request);
    const fail = (error: unknown) => {
      const { status, body, unexpected, headers } = toHerokuError(error);
      if (unexpected)
        this.logger?.error({ err: error, request_id: requestId }, 'request failed unexpectedly');
      if (status === 401 || status === 429)
        this.refusals?.count(status, this.limits.clientOf(request));
      send(response, status, JSON.stringify(body), requestId, headers);
    };
    try {
      // Names, ids and hosts need no decoding: skip the copy unless something is escaped.
      const app =
        raw.includes('%') || raw.length > MAX_PATH_SEGMENT_LENGTH ? decodePathSegment(raw) : raw;
      const answer = (principal: Principal) => {
        try {
          this.limits.chargeMachine(principal);
          checkAccess(principal, lookup.access);
          send(response, 200, lookup.answer(principal, app), requestId);
        } catch (error) {
          fail(error);
        }
      };
      const principal = this.auth.identify(request.headers.authorization, request);
      if (principal instanceof Promise) principal.then(answer, fail);
      else answer(principal);
    } catch (error) {
      fail(error);
    }
    return true;
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  extra?: Record<string, string>,
): void {
  // The flat [name, value, ...] form: Node skips building and walking a headers object.
  const headers = [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Request-Id',
    requestId,
  ];
  if (extra) for (const [name, value] of Object.entries(extra)) headers.push(name, value);
  response.writeHead(status, headers);
  response.end(body);
}

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/HerokuErrorDto' } } },
});

/** OpenAPI for the routes above, which Nest's scanner does not see. */
export function describeMachineLookups(document: OpenAPIObject): void {
  const lookup = (
    tag: string,
    summary: string,
    description: string,
    schema: string,
    example: string,
  ) => ({
    get: {
      operationId: `${schema}_lookup`,
      summary,
      description,
      tags: [tag],
      security: [{ bearer: [] }],
      parameters: [
        {
          name: 'app',
          in: 'path' as const,
          required: true,
          example,
          schema: { type: 'string' as const },
        },
      ],
      responses: {
        200: {
          description: '',
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
        },
        401: error('Missing, unknown or expired token'),
        400: error('bad_request: malformed percent-encoding or NUL in the path'),
        403: error('The token may not read this app'),
        404: error('not_found: no such app'),
        414: error('request_uri_too_long: longer than any app name, id or host'),
        429: error('rate_limit: the machine budget of this token is spent (see Retry-After)'),
      },
    },
  });
  document.paths['/routing/v1/apps/{app}'] = lookup(
    'routing',
    "An app's routing entry",
    'For routers: maintenance, the maintenance page URL, web quantity and size, Private Space, and the addresses of web dynos that are up. ' +
      'By app name, id or host name (<app>.<APPS_DOMAIN>). Served from memory. Routing tokens see every app; people those they own or collaborate on.',
    'RoutingEntryDto',
    'myapp.localhost',
  );
  document.paths['/scheduler/v1/apps/{app}'] = lookup(
    'scheduler',
    "Whether an app's scheduled jobs may run",
    'As on Heroku, jobs keep running during maintenance; the answer carries the maintenance flag so a scheduler can decide, ' +
      'and apps can opt into pausing with DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE=true. Changes stream from GET /routing/v1/watch.',
    'SchedulerAppDto',
    'myapp',
  );
}
