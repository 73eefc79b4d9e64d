import { Module } from '@nestjs/common';
import { AddonsController } from './addons.controller.js';

@Module({ controllers: [AddonsController] })
export class AddonsModule {}
