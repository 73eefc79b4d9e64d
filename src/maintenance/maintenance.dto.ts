import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import type { AppWithRelations } from '../store/app.repository.js';
import type { MaintenanceChangeRow } from '../store/maintenance.repository.js';
import { KeptEntry, parseSnapshot, SnapshotEntry } from './maintenance-plan.js';
import type { RestoreReport } from './maintenance-switcher.service.js';

/** Longer reasons are refused: they end up on status pages and in logs. */
export const MAX_REASON_LENGTH = 500;
/** A year: a longer max duration is no alert at all. */
export const MAX_DURATION_SECONDS = 366 * 24 * 3600;
export const JOBS_POLICIES = ['run', 'pause'] as const;
/** A process type's name, as Procfiles allow. */
const PROCESS_TYPE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

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

export class SnapshotEntryDto {
  @ApiProperty({ example: 'worker' }) type!: string;
  @ApiProperty({ example: 3, description: 'The quantity before maintenance scaled it to 0' })
  quantity!: number;
}

export class KeptEntryDto {
  @ApiProperty({ example: 'worker' }) type!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2,
    description: "What it runs now (the operator's value); null when the type is gone",
  })
  quantity!: number | null;
  @ApiProperty({ example: 3, description: 'What the snapshot recorded' }) recorded!: number;
  @ApiProperty({ example: 'worker was scaled to 2 during maintenance; that value stands' })
  why!: string;
}

export class RestoreReportDto {
  @ApiProperty({ type: [SnapshotEntryDto], description: 'Types scaled back to what they had' })
  restored!: SnapshotEntryDto[];
  @ApiProperty({ type: [KeptEntryDto], description: 'Recorded types the restore left alone' })
  kept!: KeptEntryDto[];
}

class MaintenanceWindowRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
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
  @ApiProperty({
    example: false,
    description: 'Config vars, process types, releases and rollbacks are refused (423) while on',
  })
  freeze!: boolean;
  @ApiProperty({
    type: [SnapshotEntryDto],
    nullable: true,
    description: 'What scale_down took to 0, restored when maintenance turns off; null: nothing',
  })
  snapshot!: SnapshotEntryDto[] | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 3600,
    description: 'Seconds after which this maintenance is overdue; null: never',
  })
  max_duration!: number | null;
  @ApiProperty({ example: false, description: 'Turn off (and restore) once overdue' })
  auto_off_when_overdue!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'When maintenance.overdue was recorded; null: not (yet) overdue',
  })
  overdue_at!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-01T20:00:00.000Z',
    description:
      'When something (a window, auto-off) will turn it off; routers send Retry-After from it',
  })
  ends_at!: string | null;
  @ApiProperty({
    type: MaintenanceWindowRefDto,
    nullable: true,
    description: 'The scheduled window this maintenance belongs to',
  })
  window!: MaintenanceWindowRefDto | null;
  @ApiProperty({
    enum: JOBS_POLICIES,
    example: 'run',
    description:
      "Whether schedulers run the app's jobs during maintenance (run, as on Heroku, or pause)",
  })
  jobs!: string;
  @ApiPropertyOptional({
    type: RestoreReportDto,
    description: 'Only in the answer that turned maintenance off: what the snapshot gave back',
  })
  restore?: RestoreReportDto;
}

/**
 * What a maintenance may bring besides the flag: sent when turning it on (or while it is
 * on), or with a window, for the maintenance the window starts.
 */
export class MaintenancePlanDto {
  @ApiPropertyOptional({
    example: 'Migrating the orders table',
    maxLength: MAX_REASON_LENGTH,
    description: 'Why, shown in the history; kept while the maintenance lasts',
  })
  @Omittable()
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;

  @ApiPropertyOptional({
    example: ['worker', 'clock'],
    description:
      'Process types to record and scale to 0 while maintenance lasts; turning it off restores them',
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(PROCESS_TYPE_NAME, { each: true, message: 'scale_down must list process type names' })
  scale_down?: string[];

  @ApiPropertyOptional({
    example: true,
    description: 'Refuse config var, process type, release and rollback changes (423) while on',
  })
  @Omittable()
  @IsBoolean()
  freeze?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 3600,
    minimum: 1,
    maximum: MAX_DURATION_SECONDS,
    description: 'Seconds after which maintenance.overdue is recorded (once); null clears it',
  })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsInt({ message: 'max_duration must be a whole number of seconds' })
  @Min(1)
  @Max(MAX_DURATION_SECONDS)
  max_duration?: number | null;

  @ApiPropertyOptional({ example: false, description: 'Once overdue, turn off and restore' })
  @Omittable()
  @IsBoolean()
  auto_off_when_overdue?: boolean;
}

export class MaintenanceUpdateDto extends MaintenancePlanDto {
  @ApiPropertyOptional({
    example: true,
    description: 'On (true) or off (false); left out: as it is',
  })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    enum: JOBS_POLICIES,
    example: 'pause',
    description: "Whether schedulers run the app's jobs during maintenance; kept across switches",
  })
  @Omittable()
  @IsIn(JOBS_POLICIES, { message: 'jobs must be run or pause' })
  jobs?: 'run' | 'pause';
}

export class MaintenanceChangeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    enum: ['maintenance.enable', 'maintenance.disable', 'maintenance.overdue'],
    example: 'maintenance.enable',
    description: 'A switch, or the alert that maintenance lasted longer than its max_duration',
  })
  action!: string;
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({ example: false, description: 'The mode before this switch' }) previous!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'Migrating the orders table' })
  reason!: string | null;
  @ApiProperty({ type: MaintenanceActorDto, nullable: true }) actor!: MaintenanceActorDto | null;
  @ApiProperty({
    example: 'api',
    description:
      'How it happened: api (a person or token), window (a scheduled window), overdue (its max_duration passed)',
  })
  source!: string;
  @ApiProperty({ example: 57, description: "The switch's version in the change log" })
  version!: number;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
}

export function toMaintenanceResponse(
  app: AppWithRelations,
  changedByEmail: string | null,
  restore?: RestoreReport,
): MaintenanceResponseDto {
  const snapshot = parseSnapshot(app.maintenanceSnapshot);
  return {
    app: { id: app.id, name: app.name },
    enabled: app.maintenance,
    reason: app.maintenanceReason,
    changed_at: app.maintenanceChangedAt?.toISOString() ?? null,
    changed_by: app.maintenanceChangedBy
      ? { id: app.maintenanceChangedBy, email: changedByEmail }
      : null,
    freeze: app.maintenanceFrozen,
    snapshot: snapshot.length ? snapshot.map(toSnapshotEntry) : null,
    max_duration: app.maintenanceMaxDuration,
    auto_off_when_overdue: app.maintenanceAutoOffWhenOverdue,
    overdue_at: app.maintenanceOverdueAt?.toISOString() ?? null,
    ends_at: app.maintenanceEndsAt?.toISOString() ?? null,
    window: app.maintenanceWindowId ? { id: app.maintenanceWindowId } : null,
    jobs: app.maintenanceJobs,
    ...(restore
      ? {
          restore: {
            restored: restore.restored.map(toSnapshotEntry),
            kept: restore.kept.map((entry: KeptEntry) => ({ ...entry })),
          },
        }
      : {}),
  };
}

const toSnapshotEntry = (entry: SnapshotEntry): SnapshotEntryDto => ({
  type: entry.type,
  quantity: entry.quantity,
});

export function toMaintenanceChange(row: MaintenanceChangeRow): MaintenanceChangeDto {
  return {
    id: row.id,
    action: row.action,
    enabled: row.enabled,
    previous: row.previous,
    reason: row.reason,
    actor: row.actorId ? { id: row.actorId, email: row.actorEmail } : null,
    source: row.source,
    version: Number(row.version),
    created_at: row.createdAt.toISOString(),
  };
}
