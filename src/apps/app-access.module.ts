import { Module } from '@nestjs/common';
import { AppAccessService } from './app-access.service.js';

@Module({ providers: [AppAccessService], exports: [AppAccessService] })
export class AppAccessModule {}
