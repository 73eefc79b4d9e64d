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

/** host:port, the host a name, an IPv4 address or a bracketed IPv6 one. */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):\d{1,5}$/;

export const DYNO_STATES = ['starting', 'up', 'down', 'crashed', 'idle'] as const;
/** What a dyno manager may report; `idle` is Heroku's for sleeping eco dynos, which drydock has not. */
export const REPORTED_STATES = ['starting', 'up', 'down', 'crashed'] as const;

export class DynoCreateDto {
  @ApiProperty({ example: 'rake db:migrate', description: 'The command the one-off dyno runs' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  command!: string;

  @ApiPropertyOptional({
    example: false,
    description:
      '`heroku run`: the answer carries `attach_url` (rendezvous://host:port/secret) to stream the command through; with COLUMNS and LINES in env and no force_no_tty, on a pseudo-terminal of that size',
  })
  @Omittable()
  @IsBoolean()
  attach?: boolean;

  @ApiPropertyOptional({
    example: { TERM: 'xterm-256color', COLUMNS: 80, LINES: 24 },
    description:
      'Extra environment for this dyno only; numbers are taken as their decimal text (the CLI sends COLUMNS and LINES as numbers)',
  })
  @Omittable()
  @IsObject()
  env?: Record<string, unknown>;

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
  @ApiProperty({ example: 'up', enum: REPORTED_STATES })
  @IsIn(REPORTED_STATES, { message: `state must be one of ${REPORTED_STATES.join(', ')}` })
  state!: (typeof REPORTED_STATES)[number];

  @ApiProperty({
    example: 3,
    description:
      'The generation of the dyno this report is about; an older one than the dyno is at answers 409',
  })
  @IsInt()
  @Min(1)
  generation!: number;

  @ApiPropertyOptional({
    example: 127,
    nullable: true,
    type: Number,
    description: 'How the process ended (crashed or down)',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsInt()
  @Min(-1)
  @Max(255)
  exit_status?: number | null;

  @ApiPropertyOptional({
    example: 'bash: line 1: nosuch: command not found',
    nullable: true,
    type: String,
    description: 'Why it crashed, in one line',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(1000)
  error?: string | null;

  @ApiPropertyOptional({
    example: '10.0.4.17:5000',
    nullable: true,
    type: String,
    description: 'host:port where a web dyno accepts requests; routers proxy to it while it is up',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @Matches(HOST_PORT, {
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
  @ApiProperty({
    example: '2026-11-27T12:00:00.000Z',
    description: 'When the dyno entered its state (what `heroku ps` shows as "since")',
  })
  updated_at!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'drydock: how its last process ended',
  })
  exit_status!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'drydock: why it crashed, in one line',
  })
  error!: string | null;
}

export function toDynoResponse(
  dyno: Omit<DynoWithRelease, 'release'> & { release: { id: string; version: number } | null },
  app: { id: string; name: string },
  attachUrl: string | null = null,
): DynoResponseDto {
  return {
    attach_url: attachUrl,
    command: dyno.command,
    created_at: dyno.createdAt.toISOString(),
    id: dyno.id,
    name: dyno.name,
    release: dyno.release ? { id: dyno.release.id, version: dyno.release.version } : null,
    app: { id: app.id, name: app.name },
    size: dyno.size,
    state: dyno.state,
    type: dyno.type,
    updated_at: dyno.stateChangedAt.toISOString(),
    exit_status: dyno.exitStatus,
    error: dyno.error,
  };
}

class ManagedSlugDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'SHA256:4f1b...' }) checksum!: string;
  @ApiProperty({
    example: '/dyno-manager/v1/slugs/01234567-89ab-cdef-0123-456789abcdef/archive',
    description: 'API path of the gzipped tarball; GET it with the manager token',
  })
  url!: string;
}

class ManagedAttachDto {
  @ApiProperty({ description: 'sha256 (hex) of the single-use rendezvous secret' })
  secret_sha256!: string;
  @ApiProperty({ example: '2026-11-27T12:02:00.000Z' }) expires_at!: string;
  @ApiProperty({ example: true, description: 'Run on a pseudo-terminal' }) tty!: boolean;
  @ApiProperty({ type: Number, nullable: true, example: 80 }) columns!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 24 }) lines!: number | null;
}

/** A dyno as its manager sees it: the Heroku shape plus what it takes to run it. */
export class ManagedDynoDto extends DynoResponseDto {
  @ApiProperty({
    example: 3,
    description: 'Bumped whenever the dyno must start again; reports name it',
  })
  generation!: number;
  @ApiProperty({ type: String, nullable: true, example: '10.0.4.17:5000' }) address!: string | null;
  @ApiProperty({
    example: { GREETING: 'hello' },
    description:
      "Everything drydock puts in the process's environment: the release's config vars and a one-off dyno's env. Secret.",
  })
  env!: Record<string, string>;
  @ApiProperty({ type: ManagedSlugDto, nullable: true }) slug!: ManagedSlugDto | null;
  @ApiProperty({
    example: false,
    description:
      'A `heroku run` dyno: it runs only for the client that attaches with its secret, never by itself',
  })
  attached!: boolean;
  @ApiProperty({
    type: ManagedAttachDto,
    nullable: true,
    description: 'For an attached one-off dyno whose secret is not used yet',
  })
  attach!: ManagedAttachDto | null;
}

export class ManagedDynoListDto {
  @ApiProperty({ example: 42, description: 'Change-stream version to watch from' })
  version!: number;
  @ApiProperty({ type: [ManagedDynoDto] }) dynos!: ManagedDynoDto[];
}

export class DynoManagerHeartbeatDto {
  @ApiProperty({
    example: '203.0.113.7:5001',
    nullable: true,
    type: String,
    description:
      'host:port of its TLS rendezvous for `heroku run`; null when it takes no attachments',
  })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(HOST_PORT, {
    message: 'rendezvous must be host:port',
  })
  rendezvous!: string | null;
}

export class DynoManagerResponseDto {
  @ApiProperty({ example: 'host-1' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7:5001' })
  rendezvous!: string | null;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) last_seen_at!: string;
}
