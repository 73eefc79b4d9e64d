import { Module } from '@nestjs/common';
import { MaintenanceModule } from '../maintenance/maintenance.module.js';
import { MaintenanceWindowTransitions } from './maintenance-window-transitions.service.js';
import { MaintenanceWindowsController } from './maintenance-windows.controller.js';
import { MaintenanceWindowsService } from './maintenance-windows.service.js';

/** Scheduled maintenance windows: planned through the API, moved by the job engine. */
@Module({
  imports: [MaintenanceModule],
  controllers: [MaintenanceWindowsController],
  providers: [MaintenanceWindowsService, MaintenanceWindowTransitions],
})
export class MaintenanceWindowsModule {}
