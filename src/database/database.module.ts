import { DynamicModule, Global, Module } from '@nestjs/common';
import { DATABASE_URL } from './database.tokens.js';
import { PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DATABASE_URL, useValue: databaseUrl }, PrismaService],
      exports: [DATABASE_URL, PrismaService],
    };
  }
}
