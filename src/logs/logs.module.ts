import { Module } from '@nestjs/common';
import { LogIngestController } from './log-ingest.controller.js';
import { LogSessionsController } from './log-sessions.controller.js';
import { LogStreamsController } from './log-streams.controller.js';
import { LogTailHub } from './log-tail-hub.service.js';
import { LogsService } from './logs.service.js';

/** Apps' logs: what routers, dyno managers and the control plane write, and `heroku logs`. */
@Module({
  controllers: [LogSessionsController, LogStreamsController, LogIngestController],
  providers: [LogsService, LogTailHub],
})
export class LogsModule {}
