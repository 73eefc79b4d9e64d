import { Module } from '@nestjs/common';
import { SlugArchivesController } from './slug-archives.controller.js';
import { SlugBlobsController } from './slug-blobs.controller.js';
import { SlugsController } from './slugs.controller.js';
import { SlugsService } from './slugs.service.js';

@Module({
  controllers: [SlugsController, SlugBlobsController, SlugArchivesController],
  providers: [SlugsService],
})
export class SlugsModule {}
