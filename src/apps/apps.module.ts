import { Module } from '@nestjs/common';
import { FormationsModule } from '../formations/formations.module.js';
import { MaintenanceModule } from '../maintenance/maintenance.module.js';
import { ReleasesModule } from '../releases/releases.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { AppAccessModule } from './app-access.module.js';
import { AppsController } from './apps.controller.js';
import { AppsService } from './apps.service.js';

@Module({
  imports: [SpacesModule, AppAccessModule, MaintenanceModule, ReleasesModule, FormationsModule],
  controllers: [AppsController],
  providers: [AppsService],
  exports: [AppsService],
})
export class AppsModule {}
