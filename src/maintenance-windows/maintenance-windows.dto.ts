import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import type { MaintenanceWindow } from '../generated/prisma/client.js';
import { MaintenancePlanDto } from '../maintenance/maintenance.dto.js';

export class MaintenanceWindowCreateDto extends MaintenancePlanDto {
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

  @ApiPropertyOptional({
    example: true,
    default: true,
    description: 'At ends_at, restore the snapshot and turn maintenance off',
  })
  @Omittable()
  @IsBoolean()
  auto_off?: boolean;
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
