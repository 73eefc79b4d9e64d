import http from 'node:http';
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { InvalidParamsError, MalformedUrlError } from './common/errors/api-errors.js';
import { answerClientError } from './common/errors/client-error.js';
import { HttpErrorFilter, sendHerokuError } from './common/errors/http-error.filter.js';
import { MAX_PATH_SEGMENT_LENGTH } from './common/heroku/path-segment.js';
import { requestIdFor } from './common/heroku/request-id.js';
import { parseJsonBody } from './common/validation/json-body.js';
import { allowRawBodies } from './common/validation/raw-body.js';
import { createLogger, NestJsonLogger } from './common/logging/logger.js';
import { RefusalSummary } from './common/logging/refusal-summary.js';
import { RequestLogController } from './common/logging/request-log.controller.js';
import { setupSwagger } from './openapi.js';
import { MachineLookupRoutes } from './routing/machine-lookup.routes.js';

export interface CreateAppOptions {
  config: AppConfig;
  databaseUrl: string;
  logger?: Logger;
}

/** Builds the whole HTTP application; main.ts, the tests and the OpenAPI script share it. */
export async function createApp({
  config,
  databaseUrl,
  logger,
}: CreateAppOptions): Promise<NestFastifyApplication> {
  const log = logger ?? createLogger(config.logLevel);
  const refusals = new RefusalSummary(log);
  // Requests the machine lookups answer never reach Fastify; everything else does.
  const machine: { lookups?: MachineLookupRoutes } = {};
  const adapter = new FastifyAdapter({
    serverFactory: (handler: http.RequestListener) =>
      http.createServer((request, response) => {
        if (!machine.lookups?.handle(request, response)) handler(request, response);
      }),
    loggerInstance: log,
    bodyLimit: config.bodyLimitBytes,
    genReqId: requestIdFor,
    requestIdHeader: false,
    logController: new RequestLogController(refusals),
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_LENGTH },
    // Replaces Nest's handler, which answers in Fastify's shape (drydock uses no security hook).
    frameworkErrors: sendHerokuError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    adapter,
    {
      logger: new NestJsonLogger(log),
      // drydock registers its own JSON parser below; Nest's would collide with it.
      bodyParser: false,
    },
  );

  configureFastify(app.getHttpAdapter().getInstance());
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', async () => refusals.close());
  machine.lookups = app.get(MachineLookupRoutes).useLogger(log, refusals);
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new InvalidParamsError(describeValidationErrors(errors)),
    }),
  );
  setupSwagger(app);
  return app;
}

function configureFastify(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('Request-Id', request.id);
    // The router decodes %00 into a NUL, which PostgreSQL refuses, in any segment or the query.
    if (request.url.includes('%00')) throw new MalformedUrlError();
  });

  // JSON is the only body the API takes; anything else is a clear 415. Clients (the Heroku
  // CLI among them) may send Content-Type: application/json with an empty body on DELETE
  // or POST actions: that is no body, not malformed JSON.
  const secureParse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // Fastify's secure parser (`__proto__` refused) answers through a callback, synchronously.
    const parse = (text: string): unknown => {
      let parsed: { error: Error | null; value?: unknown } = { error: null };
      secureParse(request, text, (error, value) => (parsed = { error, value }));
      if (parsed.error) throw parsed.error;
      return parsed.value;
    };
    try {
      done(null, parseJsonBody(body as Buffer, parse));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  allowRawBodies(fastify);
}

/** "name: must match ...; quantity: must be at most 100", from class-validator's tree. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string {
  return errors
    .flatMap((error) => {
      const path = parent ? `${parent}.${error.property}` : error.property;
      const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) =>
        constraint === 'whitelistValidation'
          ? `${path}: unknown field`
          : message.startsWith(error.property)
            ? message.replace(error.property, path)
            : `${path}: ${message}`,
      );
      return [
        ...own,
        ...(error.children?.length ? [describeValidationErrors(error.children, path)] : []),
      ];
    })
    .filter(Boolean)
    .join('; ');
}
