import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import type { AppWithRelations } from '../store/app.repository.js';
import type { MaintenanceChangeRow } from '../store/maintenance.repository.js';

/** Longer reasons are refused: they end up on status pages and in logs. */
export const MAX_REASON_LENGTH = 500;

class MaintenanceAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

class MaintenanceActorDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'operator@example.com',
    description: 'null once the account is gone',
  })
  email!: string | null;
}

export class MaintenanceResponseDto {
  @ApiProperty({ type: MaintenanceAppDto }) app!: MaintenanceAppDto;
  @ApiProperty({
    example: true,
    description: 'Routers answer every visitor with the maintenance page',
  })
  enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'Migrating the orders table' })
  reason!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-01T18:00:00.000Z',
    description: 'When the app entered its current mode; null if it never switched',
  })
  changed_at!: string | null;
  @ApiProperty({ type: MaintenanceActorDto, nullable: true })
  changed_by!: MaintenanceActorDto | null;
}

export class MaintenanceUpdateDto {
  @ApiProperty({ example: true, description: 'On (true) or off (false)' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({
    example: 'Migrating the orders table',
    maxLength: MAX_REASON_LENGTH,
    description: 'Why, shown in the history; kept while the mode lasts',
  })
  @Omittable()
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;
}

export class MaintenanceChangeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({ example: false, description: 'The mode before this switch' }) previous!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'Migrating the orders table' })
  reason!: string | null;
  @ApiProperty({ type: MaintenanceActorDto, nullable: true }) actor!: MaintenanceActorDto | null;
  @ApiProperty({ example: 'api', description: 'How it happened: api (a person or token)' })
  source!: string;
  @ApiProperty({ example: 57, description: "The switch's version in the change log" })
  version!: number;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
}

export function toMaintenanceResponse(
  app: AppWithRelations,
  changedByEmail: string | null,
): MaintenanceResponseDto {
  return {
    app: { id: app.id, name: app.name },
    enabled: app.maintenance,
    reason: app.maintenanceReason,
    changed_at: app.maintenanceChangedAt?.toISOString() ?? null,
    changed_by: app.maintenanceChangedBy
      ? { id: app.maintenanceChangedBy, email: changedByEmail }
      : null,
  };
}

export function toMaintenanceChange(row: MaintenanceChangeRow): MaintenanceChangeDto {
  return {
    id: row.id,
    enabled: row.enabled,
    previous: row.previous,
    reason: row.reason,
    actor: row.actorId ? { id: row.actorId, email: row.actorEmail } : null,
    source: row.source,
    version: Number(row.version),
    created_at: row.createdAt.toISOString(),
  };
}
