import { Module } from '@nestjs/common';
import { DynoManagerController } from './dyno-manager.controller.js';
import { DynosController } from './dynos.controller.js';
import { DynosService } from './dynos.service.js';

@Module({
  controllers: [DynosController, DynoManagerController],
  providers: [DynosService],
})
export class DynosModule {}
