import { Module } from '@nestjs/common';
import { DynoUsageController } from './dyno-usage.controller.js';
import { DynoUsageService } from './dyno-usage.service.js';

@Module({ controllers: [DynoUsageController], providers: [DynoUsageService] })
export class DynoUsageModule {}
