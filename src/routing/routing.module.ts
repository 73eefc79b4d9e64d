import { Module } from '@nestjs/common';
import { RoutingController } from './routing.controller.js';
import { RoutingService } from './routing.service.js';
import { RoutingView } from './routing-view.service.js';
import { SchedulerController } from './scheduler.controller.js';
import { WatchHub } from './watch-hub.service.js';

@Module({
  controllers: [RoutingController, SchedulerController],
  providers: [RoutingView, WatchHub, RoutingService],
  exports: [RoutingView],
})
export class RoutingModule {}
