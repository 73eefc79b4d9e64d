import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { DynoManagerController } from './dyno-manager.controller.js';
import { DynoManagerService } from './dyno-manager.service.js';
import { DynosController } from './dynos.controller.js';
import { DynosService } from './dynos.service.js';

@Module({
  imports: [RoutingModule],
  controllers: [DynosController, DynoManagerController],
  providers: [DynosService, DynoManagerService],
})
export class DynosModule {}
