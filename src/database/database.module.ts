import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DatabaseAvailability } from './database-availability.js';
import { DATABASE_URL } from './database.tokens.js';
import { PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_URL, useValue: databaseUrl },
        {
          provide: DatabaseAvailability,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            new DatabaseAvailability(databaseUrl, config.database.connectTimeoutMs),
        },
        PrismaService,
      ],
      exports: [DATABASE_URL, DatabaseAvailability, PrismaService],
    };
  }
}
