import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import { LOG_LINES_KEPT } from '../store/log.repository.js';
import { LOG_SOURCES } from './log-line.js';

export const DEFAULT_SESSION_LINES = 100;

export class LogSessionCreateDto {
  @ApiPropertyOptional({
    example: 'web.1',
    description:
      'Only this dyno (`web.1`), process type (`web`: every web dyno), `router` (heroku[router]) or `api` (app[api])',
  })
  @Omittable()
  @IsString()
  @MaxLength(64)
  dyno?: string;

  @ApiPropertyOptional({
    example: 100,
    minimum: 0,
    maximum: LOG_LINES_KEPT,
    description: `How many of the newest lines to show first (default ${DEFAULT_SESSION_LINES})`,
  })
  @Omittable()
  @IsInt()
  lines?: number;

  @ApiPropertyOptional({
    enum: LOG_SOURCES,
    example: 'app',
    description: "Only the app's own lines (`app`) or the platform's (`heroku`)",
  })
  @Omittable()
  @IsString()
  @MaxLength(64)
  source?: string;

  @ApiPropertyOptional({ example: false, description: 'Keep the stream open for new lines' })
  @Omittable()
  @IsBoolean()
  tail?: boolean;
}

export class LogSessionResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    example: 'https://drydock.example.com/log-streams/0b9f7a3c-7d3e-4a35-9c38-7c1f3e5d2a10?grant=…',
    description:
      'Server-Sent Events, one line per message; needs no credentials (the URL is the grant, for five minutes)',
  })
  logplex_url!: string;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) updated_at!: string;
}

export class LogIngestResultDto {
  @ApiProperty({ example: 42, description: 'Lines stored' }) accepted!: number;
  @ApiProperty({
    example: 0,
    description: 'Lines of apps that no longer exist, left out: do not send them again',
  })
  skipped!: number;
}
