import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiError } from '../common/errors/api-errors.js';
import { PrismaService } from '../database/prisma.service.js';
import { loadMigrations } from '../database/migrator.js';

export class HealthStatusDto {
  @ApiProperty({ example: 'ok' }) status!: string;
  @ApiPropertyOptional({ example: 'migrations pending: 20261127000000_create_domain' })
  detail?: string;
}

class NotReadyError extends ApiError {
  constructor(message: string) {
    super(503, 'service_unavailable', message);
  }
}

@Injectable()
export class HealthService {
  /** Migrations on disk never change while the process runs; read them once. */
  private readonly migrationNames = loadMigrations().then((migrations) =>
    migrations.map((m) => m.name),
  );

  constructor(private readonly prisma: PrismaService) {}

  async readiness(): Promise<HealthStatusDto> {
    let applied: { migration_name: string }[];
    try {
      applied = await this.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    } catch {
      throw new NotReadyError('Database unreachable or not migrated.');
    }
    const done = new Set(applied.map((row) => row.migration_name));
    const pending = (await this.migrationNames).filter((name) => !done.has(name));
    if (pending.length > 0) throw new NotReadyError(`Migrations pending: ${pending.join(', ')}`);
    return { status: 'ok' };
  }
}
