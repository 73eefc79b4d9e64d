import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ServiceUnavailableError } from '../common/errors/api-errors.js';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DatabaseUnavailableError,
} from '../common/errors/database-unavailable.js';
import { DatabaseAvailability } from '../database/database-availability.js';
import { loadMigrations } from '../database/migrator.js';

export class HealthStatusDto {
  @ApiProperty({ example: 'ok' }) status!: string;
  @ApiPropertyOptional({ example: 'migrations pending: 20261127000000_create_domain' })
  detail?: string;
}

/** Readiness answers within this, whatever the database does: probes have short timeouts. */
const READINESS_TIMEOUT_MS = 1500;
const APPLIED_MIGRATIONS = `
  SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;

@Injectable()
export class HealthService {
  /** Migrations on disk never change while the process runs; read them once. */
  private readonly migrationNames = loadMigrations().then((migrations) =>
    migrations.map((m) => m.name),
  );

  constructor(private readonly availability: DatabaseAvailability) {}

  async readiness(): Promise<HealthStatusDto> {
    if (!this.availability.available) throw notReady('Database unreachable.');
    const applied = await this.availability
      .ask<{ migration_name: string }>(APPLIED_MIGRATIONS, READINESS_TIMEOUT_MS)
      .catch((error: unknown) => {
        throw notReady(
          error instanceof DatabaseUnavailableError
            ? `Database unavailable: ${error.reason}.`
            : 'Database not migrated.',
        );
      });
    const done = new Set(applied.map((row) => row.migration_name));
    const pending = (await this.migrationNames).filter((name) => !done.has(name));
    if (pending.length > 0) throw notReady(`Migrations pending: ${pending.join(', ')}`);
    return { status: 'ok' };
  }
}

function notReady(message: string): ServiceUnavailableError {
  return new ServiceUnavailableError(message, DATABASE_RETRY_AFTER_SECONDS);
}
