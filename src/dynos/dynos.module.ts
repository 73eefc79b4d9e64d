import { Module } from '@nestjs/common';
import { AppAccessModule } from '../apps/app-access.module.js';
import { ReleasesModule } from '../releases/releases.module.js';
import { DynoManagerController } from './dyno-manager.controller.js';
import { DynosController } from './dynos.controller.js';
import { DynosService } from './dynos.service.js';

@Module({
  imports: [AppAccessModule, ReleasesModule],
  controllers: [DynosController, DynoManagerController],
  providers: [DynosService],
  exports: [DynosService],
})
export class DynosModule {}
