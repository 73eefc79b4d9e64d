import type { OpenAPIObject } from '@nestjs/swagger';
import { APP_CHANGE_ACTIONS, changePayloadSchemas } from '../events/change-event.js';

/**
 * The watch stream's messages and every change's payload, from the typed change events:
 * Nest's scanner cannot see what an SSE stream sends, nor the union of payloads.
 */
export function describeChangeEvents(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ChangePayloads = {
    type: 'object',
    description:
      "The `data` of each change in the change log, by action: what an app's audit trail shows. Never a secret value.",
    properties: changePayloadSchemas(),
  };
  document.components.schemas.WatchChangeMessage = {
    type: 'object',
    description:
      'The `data` of each `event: change` message of GET /routing/v1/watch (its `id:` is the version).',
    required: ['version', 'action', 'app_id', 'app_name', 'routing'],
    properties: {
      version: { type: 'integer', example: 43 },
      action: { type: 'string', enum: APP_CHANGE_ACTIONS, example: 'maintenance.enable' },
      app_id: { type: 'string', format: 'uuid' },
      app_name: { type: 'string', example: 'myapp' },
      routing: {
        nullable: true,
        description: "The app's routing entry as it is now; null when the app is gone",
        allOf: [{ $ref: '#/components/schemas/RoutingEntryDto' }],
      },
    },
  };
  const watch = document.paths['/routing/v1/watch']?.get;
  if (watch) {
    watch.responses['200'] = {
      description: 'Server-Sent Events: `id: <version>`, `event: change`, `data:` one message',
      content: {
        'text/event-stream': { schema: { $ref: '#/components/schemas/WatchChangeMessage' } },
      },
    };
  }
}
