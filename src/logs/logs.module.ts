import { Module } from '@nestjs/common';
import { LogDrainsModule } from '../log-drains/log-drains.module.js';
import { LogIngestController } from './log-ingest.controller.js';
import { LogSessionsController } from './log-sessions.controller.js';
import { LogStreamsController } from './log-streams.controller.js';
import { LogRetention } from './log-retention.service.js';
import { LogTailHub } from './log-tail-hub.service.js';
import { LogsService } from './logs.service.js';

/** Apps' logs: what routers, dyno managers and the control plane write, and `heroku logs`. */
@Module({
  imports: [LogDrainsModule],
  controllers: [LogSessionsController, LogStreamsController, LogIngestController],
  providers: [LogsService, LogTailHub, LogRetention],
})
export class LogsModule {}
