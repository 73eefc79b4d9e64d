import { Module } from '@nestjs/common';
import { AppAccessModule } from '../apps/app-access.module.js';
import { DynosModule } from '../dynos/dynos.module.js';
import { ReleasesModule } from '../releases/releases.module.js';
import { ConfigVarsController } from './config-vars.controller.js';
import { ConfigVarsService } from './config-vars.service.js';

@Module({
  imports: [AppAccessModule, ReleasesModule, DynosModule],
  controllers: [ConfigVarsController],
  providers: [ConfigVarsService],
  exports: [ConfigVarsService],
})
export class ConfigVarsModule {}
