import { Global, Module } from '@nestjs/common';
import { Jobs } from './jobs.service.js';

/** Background jobs every replica shares through PostgreSQL; modules register their tasks. */
@Global()
@Module({ providers: [Jobs], exports: [Jobs] })
export class JobsModule {}
