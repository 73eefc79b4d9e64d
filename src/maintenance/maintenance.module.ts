import { Module } from '@nestjs/common';
import { FormationsModule } from '../formations/formations.module.js';
import { MaintenanceOverdue } from './maintenance-overdue.service.js';
import { MaintenanceSwitcher } from './maintenance-switcher.service.js';
import { MaintenanceController } from './maintenance.controller.js';
import { MaintenanceService } from './maintenance.service.js';

@Module({
  imports: [FormationsModule],
  controllers: [MaintenanceController],
  providers: [MaintenanceService, MaintenanceSwitcher, MaintenanceOverdue],
  exports: [MaintenanceService, MaintenanceSwitcher],
})
export class MaintenanceModule {}
