import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module.js';
import { AddonsController } from './addons.controller.js';

@Module({ imports: [AppsModule], controllers: [AddonsController] })
export class AddonsModule {}
