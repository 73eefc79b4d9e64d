import { Module } from '@nestjs/common';
import { FormationsModule } from '../formations/formations.module.js';
import { MaintenanceModule } from '../maintenance/maintenance.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { AppsController } from './apps.controller.js';
import { AppsService } from './apps.service.js';

@Module({
  imports: [SpacesModule, MaintenanceModule, FormationsModule],
  controllers: [AppsController],
  providers: [AppsService],
})
export class AppsModule {}
