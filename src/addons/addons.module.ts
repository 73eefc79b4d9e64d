import { Module } from '@nestjs/common';
import { AppAccessModule } from '../apps/app-access.module.js';
import { AddonsController } from './addons.controller.js';

@Module({ imports: [AppAccessModule], controllers: [AddonsController] })
export class AddonsModule {}
