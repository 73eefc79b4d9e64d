import { Module } from '@nestjs/common';
import { DynoSizesController } from './dyno-sizes.controller.js';

@Module({ controllers: [DynoSizesController] })
export class DynoSizesModule {}
