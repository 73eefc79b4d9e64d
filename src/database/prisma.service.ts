import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { DatabaseAvailability } from './database-availability.js';
import { createDatabasePool } from './database-pool.js';
import { DATABASE_URL } from './database.tokens.js';

/** The one Prisma client of the process, on the `pg` driver adapter (no native engine). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly availability: DatabaseAvailability,
  ) {
    super({
      adapter: new PrismaPg(createDatabasePool(databaseUrl, config.database, availability), {
        disposeExternalPool: true,
      }),
      // Writers to one app queue on its row lock; a burst of them gets a few seconds to take
      // turns, and a transaction never holds its connection longer than the statement bound.
      transactionOptions: {
        maxWait: config.database.connectTimeoutMs,
        timeout: config.database.statementTimeoutMs * 2,
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.availability.close(), this.$disconnect()]);
  }
}

/** The client handed to code running inside `prisma.$transaction(async (tx) => ...)`. */
export type PrismaTransaction = Omit<
  PrismaClient,
  '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'
>;
