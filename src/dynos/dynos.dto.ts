import { Omittable } from '../common/validation/omittable.decorator.js';
import type { DynoWithRelease } from '../store/dyno.repository.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

export const DYNO_STATES = ['starting', 'up', 'down', 'crashed', 'idle'] as const;

export class DynoCreateDto {
  @ApiProperty({ example: 'rake db:migrate', description: 'The command the one-off dyno runs' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  command!: string;

  @ApiPropertyOptional({
    example: false,
    description: 'Attach a terminal (drydock runs no processes itself: always detached)',
  })
  @Omittable()
  @IsBoolean()
  attach?: boolean;

  @ApiPropertyOptional({
    example: { TERM: 'xterm' },
    description: 'Extra environment for this dyno only',
  })
  @Omittable()
  @IsObject()
  env?: Record<string, string>;

  @ApiPropertyOptional({ example: false })
  @Omittable()
  @IsBoolean()
  force_no_tty?: boolean;

  @ApiPropertyOptional({
    example: 'Standard-1X',
    description: "Dyno size; defaults to the app's default size",
  })
  @Omittable()
  @IsString()
  size?: string;

  @ApiPropertyOptional({
    example: 'run',
    enum: ['run'],
    description: 'One-off dynos are of type run',
  })
  @Omittable()
  @IsIn(['run'], { message: 'type: one-off dynos are of type run' })
  type?: string;

  @ApiPropertyOptional({
    example: 1800,
    description: 'Seconds before the dyno is stopped (max 86400)',
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(86400)
  time_to_live?: number;
}

/** What a dyno manager reports about a dyno it runs. */
export class DynoStateReportDto {
  @ApiProperty({ example: 'up', enum: DYNO_STATES })
  @IsIn(DYNO_STATES, { message: `state must be one of ${DYNO_STATES.join(', ')}` })
  state!: (typeof DYNO_STATES)[number];

  @ApiPropertyOptional({
    example: '10.0.4.17:5000',
    nullable: true,
    type: String,
    description: 'host:port where a web dyno accepts requests; routers proxy to it while it is up',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @Matches(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):\d{1,5}$/, {
    message: 'address must be host:port',
  })
  address?: string | null;
}

class DynoAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

class DynoReleaseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 1 }) version!: number;
}

/** Heroku's Dyno resource. */
export class DynoResponseDto {
  @ApiProperty({ type: String, nullable: true, example: null }) attach_url!: string | null;
  @ApiProperty({ example: 'npm start' }) command!: string;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'web.1' }) name!: string;
  @ApiProperty({ type: DynoReleaseDto, nullable: true }) release!: DynoReleaseDto | null;
  @ApiProperty({ type: DynoAppDto }) app!: DynoAppDto;
  @ApiProperty({ example: 'Standard-1X' }) size!: string;
  @ApiProperty({ example: 'up', enum: DYNO_STATES }) state!: string;
  @ApiProperty({ example: 'web' }) type!: string;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
}

export function toDynoResponse(
  dyno: DynoWithRelease,
  app: { id: string; name: string },
): DynoResponseDto {
  return {
    attach_url: null,
    command: dyno.command,
    created_at: dyno.createdAt.toISOString(),
    id: dyno.id,
    name: dyno.name,
    release: dyno.release ? { id: dyno.release.id, version: dyno.release.version } : null,
    app: { id: app.id, name: app.name },
    size: dyno.size,
    state: dyno.state,
    type: dyno.type,
    updated_at: dyno.updatedAt.toISOString(),
  };
}

/** A dyno as its manager sees it: the Heroku shape plus where it listens and its extra env. */
export class ManagedDynoDto extends DynoResponseDto {
  @ApiProperty({ type: String, nullable: true, example: '10.0.4.17:5000' }) address!: string | null;
  @ApiProperty({ example: { TERM: 'xterm' }, description: 'Extra environment of a one-off dyno' })
  env!: Record<string, string>;
}
