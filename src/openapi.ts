import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { describeChangeEvents } from './routing/change-stream.openapi.js';
import { describeMachineLookups } from './routing/machine-lookup.routes.js';
import { RoutingEntryDto, SchedulerAppDto } from './routing/routing.service.js';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('drydock')
    .setDescription(
      "A self-hostable control plane for Heroku-style apps. The root paths speak Heroku's Platform API v3, " +
        'so the Heroku CLI works against it (HEROKU_HOST=http://127.0.0.1:3000). Errors are {"id", "message"}; ' +
        'lists honour Range and answer 206 with Next-Range when more remain.',
    )
    .setVersion('3')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'An API token (Authorization: Bearer <token>)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [RoutingEntryDto, SchedulerAppDto],
  });
  describeMachineLookups(document);
  describeChangeEvents(document);
  return document;
}

/** Swagger UI at /docs, the document at /docs-json and /docs-yaml. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    swaggerOptions: { persistAuthorization: true },
  });
}
