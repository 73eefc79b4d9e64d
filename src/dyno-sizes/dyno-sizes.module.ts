import { Module } from '@nestjs/common';
import { AppAccessModule } from '../apps/app-access.module.js';
import { DynoSizesController } from './dyno-sizes.controller.js';

@Module({ imports: [AppAccessModule], controllers: [DynoSizesController] })
export class DynoSizesModule {}
