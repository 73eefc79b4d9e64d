import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RoutingController } from './routing.controller.js';
import { RoutingService } from './routing.service.js';
import { RoutingView } from './routing-view.service.js';
import { MachineLookupRoutes } from './machine-lookup.routes.js';
import { WatchHub } from './watch-hub.service.js';

@Module({
  imports: [AuthModule],
  controllers: [RoutingController],
  providers: [RoutingView, WatchHub, RoutingService, MachineLookupRoutes],
  exports: [RoutingView, RoutingService, WatchHub, MachineLookupRoutes],
})
export class RoutingModule {}
