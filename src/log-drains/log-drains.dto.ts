import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import type { LogDrain } from '../store/log-drain.repository.js';
import { MAX_DRAIN_URL_LENGTH } from './drain-url.js';

export class LogDrainCreateDto {
  @ApiProperty({
    example: 'https://user:pass@logs.example.com/drain',
    maxLength: MAX_DRAIN_URL_LENGTH,
    description:
      "Where the app's lines are POSTed in Heroku's HTTPS drain format: https:// (http:// only where the operator allows it), to a public address unless the operator allows the host. Credentials in the URL are sent as Basic authentication.",
  })
  @IsString()
  url!: string;
}

class LogDrainAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

/** Heroku's log-drain resource. */
export class LogDrainResponseDto {
  @ApiProperty({
    type: Object,
    nullable: true,
    example: null,
    description: 'The add-on that made the drain; drydock has none',
  })
  addon!: null;
  @ApiProperty({ type: LogDrainAppDto }) app!: LogDrainAppDto;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    example: 'd.01234567-89ab-cdef-0123-456789abcdef',
    description: 'Sent with every delivery (Logplex-Drain-Token), so the receiver knows the drain',
  })
  token!: string;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ example: 'https://user:pass@logs.example.com/drain' }) url!: string;
}

export function toLogDrainResponse(
  app: { id: string; name: string },
  drain: LogDrain,
): LogDrainResponseDto {
  return {
    addon: null,
    app: { id: app.id, name: app.name },
    created_at: drain.createdAt.toISOString(),
    id: drain.id,
    token: drain.token,
    updated_at: drain.updatedAt.toISOString(),
    url: drain.url,
  };
}
