import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DrainTransport } from './drain-transport.js';
import { DRAIN_TRANSPORT, LogDrainDelivery } from './log-drain-delivery.service.js';
import { LogDrainDispatch } from './log-drain-dispatch.service.js';
import { LogDrainsController } from './log-drains.controller.js';
import { LogDrainsService } from './log-drains.service.js';

/** Heroku's log drains: the resource, and the deliveries of apps' lines to them. */
@Module({
  controllers: [LogDrainsController],
  providers: [
    LogDrainsService,
    LogDrainDispatch,
    LogDrainDelivery,
    {
      provide: DRAIN_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new DrainTransport({ allowList: config.logDrains.allowList }),
    },
  ],
  exports: [LogDrainDispatch],
})
export class LogDrainsModule {}
