import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import type { ReleaseWithUser } from '../store/release.repository.js';

class ReleaseAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

class ReleaseSlugDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
}

class ReleaseUserDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) id!: string | null;
  @ApiProperty({ example: 'dev@example.com' }) email!: string;
}

/** Heroku's Release resource. */
export class ReleaseResponseDto {
  @ApiProperty({ type: [String], example: [] }) addon_plan_names!: string[];
  @ApiProperty({ type: [Object], example: [] }) artifacts!: object[];
  @ApiProperty({ type: ReleaseAppDto }) app!: ReleaseAppDto;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: 'Set MAINTENANCE_PAGE_URL config vars' }) description!: string;
  @ApiProperty({ example: 'succeeded', enum: ['failed', 'pending', 'succeeded', 'expired'] })
  status!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    type: ReleaseSlugDto,
    nullable: true,
    description: 'The code it runs; null before the first slug was released',
  })
  slug!: ReleaseSlugDto | null;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ type: ReleaseUserDto }) user!: ReleaseUserDto;
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty({ example: true, description: 'The newest release of the app' }) current!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null }) output_stream_url!: null;
  @ApiProperty({
    example: true,
    description:
      'Whether it can be rolled back to: drydock keeps its config vars and process types (releases from before it kept them cannot)',
  })
  eligible_for_rollback!: boolean;
}

/**
 * Heroku's release create, in its two forms: `slug` releases that code (with its process
 * types); `release` is a rollback (`heroku releases:rollback`), to an earlier one's config,
 * process types and slug.
 */
export class ReleaseCreateDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The slug to release: one of this app, with its archive uploaded',
  })
  @Omittable()
  @IsString()
  @MaxLength(64)
  slug?: string;

  @ApiPropertyOptional({
    example: 'v3',
    description: 'A rollback: the release to roll back to, by id or version',
  })
  @Omittable()
  @IsString()
  @MaxLength(64)
  release?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Deploy 60883d9',
    description: 'With `slug`: "Deploy <commit>" when omitted',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string | null;
}

export function toReleaseResponse(
  release: ReleaseWithUser,
  currentVersion: number,
): ReleaseResponseDto {
  return {
    addon_plan_names: [],
    artifacts: [],
    app: { id: release.app.id, name: release.app.name },
    created_at: release.createdAt.toISOString(),
    description: release.description,
    status: release.status,
    id: release.id,
    slug: release.slugId ? { id: release.slugId } : null,
    updated_at: release.updatedAt.toISOString(),
    user: { id: release.userId, email: release.user?.email ?? '(deleted account)' },
    version: release.version,
    current: release.version === currentVersion,
    output_stream_url: null,
    eligible_for_rollback: release.processTypes !== null,
  };
}
