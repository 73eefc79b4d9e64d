import http from 'node:http';
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { InvalidParamsError } from './common/errors/api-errors.js';
import { HttpErrorFilter } from './common/errors/http-error.filter.js';
import { requestIdFor } from './common/heroku/request-id.js';
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
  });

  // JSON is the only body the API takes; anything else is a clear 415. Clients (the Heroku
  // CLI among them) may send Content-Type: application/json with an empty body on DELETE
  // or POST actions: that is no body, not malformed JSON.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === ''))
      return done(null, undefined);
    return parseJson(request, body as string, done);
  });
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
