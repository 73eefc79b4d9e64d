import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import type { MaintenanceWindow } from '../generated/prisma/client.js';
import {
  MAX_DURATION_SECONDS,
  MAX_REASON_LENGTH,
  PROCESS_TYPE_NAME,
} from '../maintenance/maintenance.dto.js';

export class MaintenanceWindowCreateDto {
  @ApiProperty({
    example: '2026-12-05T02:00:00Z',
    description: 'When maintenance turns on: ISO 8601 with a zone, in the future',
  })
  @IsString()
  @MaxLength(64)
  starts_at!: string;

  @ApiProperty({
    example: '2026-12-05T04:00:00Z',
    description: 'When the window ends: after starts_at, within MAINTENANCE_WINDOW_MAX_HOURS',
  })
  @IsString()
  @MaxLength(64)
  ends_at!: string;

  @ApiPropertyOptional({ example: 'Upgrading PostgreSQL', maxLength: MAX_REASON_LENGTH })
  @Omittable()
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;

  @ApiPropertyOptional({
    example: ['worker', 'clock'],
    description: 'Process types recorded and scaled to 0 at the start, restored at the end',
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(PROCESS_TYPE_NAME, { each: true, message: 'scale_down must list process type names' })
  scale_down?: string[];

  @ApiPropertyOptional({
    example: true,
    default: true,
    description: 'At ends_at, restore the snapshot and turn maintenance off',
  })
  @Omittable()
  @IsBoolean()
  auto_off?: boolean;

  @ApiPropertyOptional({
    example: false,
    default: false,
    description: 'Freeze config and releases while the window lasts',
  })
  @Omittable()
  @IsBoolean()
  freeze?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 10800,
    minimum: 1,
    maximum: MAX_DURATION_SECONDS,
    description: "Seconds after the window's start at which its maintenance is overdue",
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

class WindowActorDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'operator@example.com' })
  email!: string | null;
}

export class MaintenanceWindowResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-12-05T02:00:00.000Z' }) starts_at!: string;
  @ApiProperty({ example: '2026-12-05T04:00:00.000Z' }) ends_at!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Upgrading PostgreSQL' })
  reason!: string | null;
  @ApiProperty({ example: ['worker', 'clock'] }) scale_down!: string[];
  @ApiProperty({ example: true }) auto_off!: boolean;
  @ApiProperty({ example: false }) freeze!: boolean;
  @ApiProperty({ type: Number, nullable: true, example: null }) max_duration!: number | null;
  @ApiProperty({ example: false }) auto_off_when_overdue!: boolean;
  @ApiProperty({
    enum: ['scheduled', 'active', 'completed', 'cancelled'],
    example: 'scheduled',
    description:
      'scheduled until starts_at, active while its maintenance lasts, then completed; cancelled by DELETE',
  })
  state!: string;
  @ApiProperty({ type: WindowActorDto, nullable: true }) created_by!: WindowActorDto | null;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) updated_at!: string;
}

export function toWindowResponse(
  window: MaintenanceWindow,
  creatorEmail: string | null,
): MaintenanceWindowResponseDto {
  return {
    id: window.id,
    starts_at: window.startsAt.toISOString(),
    ends_at: window.endsAt.toISOString(),
    reason: window.reason,
    scale_down: window.scaleDown,
    auto_off: window.autoOff,
    freeze: window.freeze,
    max_duration: window.maxDuration,
    auto_off_when_overdue: window.autoOffWhenOverdue,
    state: window.state,
    created_by: window.createdBy ? { id: window.createdBy, email: creatorEmail } : null,
    created_at: window.createdAt.toISOString(),
    updated_at: window.updatedAt.toISOString(),
  };
}
