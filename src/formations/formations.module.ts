import { Module } from '@nestjs/common';
import { AppAccessModule } from '../apps/app-access.module.js';
import { ConfigVarsModule } from '../config-vars/config-vars.module.js';
import { DynosModule } from '../dynos/dynos.module.js';
import { ReleasesModule } from '../releases/releases.module.js';
import { FormationsController } from './formations.controller.js';
import { FormationsService } from './formations.service.js';

@Module({
  imports: [AppAccessModule, DynosModule, ReleasesModule, ConfigVarsModule],
  controllers: [FormationsController],
  providers: [FormationsService],
  exports: [FormationsService],
})
export class FormationsModule {}
