import { Omittable } from '../common/validation/omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsBoolean, IsIn, IsObject, IsString, Matches } from 'class-validator';
import {
  GENERATION,
  REGION_NAMES,
  regionRef,
  STACK_NAMES,
  stackRef,
} from '../common/heroku/catalogue.js';
import type { CatalogueRef } from '../common/heroku/catalogue.js';
import { APP_NAME_PATTERN, APP_NAME_RULE } from './app-name.js';
import { buildStackOf } from '../common/heroku/stack-rules.js';
import type { AppWithRelations } from '../store/app.repository.js';
import type { CurrentRelease } from '../store/release.repository.js';

export class AppCreateDto {
  @ApiPropertyOptional({
    example: 'myapp',
    description: `Generated (e.g. misty-river-40215) when omitted. ${APP_NAME_RULE}`,
  })
  @Omittable()
  @IsString()
  @Matches(APP_NAME_PATTERN, { message: APP_NAME_RULE })
  name?: string;

  @ApiPropertyOptional({
    example: 'us',
    enum: REGION_NAMES,
    description: "Ignored for apps in a space, which take the space's region",
  })
  @Omittable()
  @IsIn(REGION_NAMES, { message: `region must be one of ${REGION_NAMES.join(', ')}` })
  region?: string;

  @ApiPropertyOptional({ example: 'heroku-24', enum: STACK_NAMES })
  @Omittable()
  @IsIn(STACK_NAMES, { message: `stack must be one of ${STACK_NAMES.join(', ')}` })
  stack?: string;

  @ApiPropertyOptional({
    example: 'nasa',
    description: 'Name or id of the Space to create the app in',
  })
  @Omittable()
  @IsString()
  space?: string;

  @ApiPropertyOptional({
    example: { web: 'npm start', worker: 'node worker.js' },
    description:
      "drydock extension: the app's Procfile, process type to command. web starts with 1 dyno, the others with 0. Replace later with PUT /apps/{app}/process-types.",
  })
  @Omittable()
  @IsObject()
  process_types?: Record<string, string>;
}

/** `POST /teams/apps`, as the Heroku CLI sends it for `apps:create --space`. */
export class TeamAppCreateDto extends AppCreateDto {
  @ApiPropertyOptional({
    description: 'Refused: drydock has no teams. Omit --team (and HEROKU_TEAM).',
  })
  @Omittable()
  @Equals(undefined, {
    message: 'team: drydock has no teams; create the app without --team (and unset HEROKU_TEAM)',
  })
  team?: string;
}

export class AppUpdateDto {
  @ApiPropertyOptional({ example: 'myapp-renamed', description: `New name. ${APP_NAME_RULE}` })
  @Omittable()
  @IsString()
  @Matches(APP_NAME_PATTERN, { message: APP_NAME_RULE })
  name?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'Maintenance mode (`heroku maintenance:on`): routers serve the maintenance page (503, H80) while dynos keep running. Setting the current value again changes nothing.',
  })
  @Omittable()
  @IsBoolean()
  maintenance?: boolean;

  @ApiPropertyOptional({
    example: 'heroku-22',
    enum: STACK_NAMES,
    description:
      "Stack name or id for the next deploy (`heroku stack:set`). drydock builds nothing: an app that runs no slug changes stack at once; otherwise `stack` stays until a release of a slug, which puts the app on the slug's stack (new slugs are made for the build stack).",
  })
  @Omittable()
  @IsString()
  build_stack?: string;
}

class RefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'us' }) name!: string;
}

class OwnerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'username@example.com' }) email!: string;
}

class AppSpaceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nasa' }) name!: string;
  @ApiProperty({ example: false }) shield!: boolean;
}

class ExtendedReleaseDto {
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty({ example: 'Deploy 60883d9' }) description!: string;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
}

class ExtendedSlugDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: '60883d9e' }) commit!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'SHA256:e3b0c442…' }) checksum!:
    string | null;
  @ApiProperty({ type: Number, nullable: true, example: 2048 }) size!: number | null;
  @ApiProperty({ example: 'heroku-24' }) stack!: string;
}

class ExtendedMaintenanceDto {
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'schema migration' }) reason!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-27T12:00:00.000Z' }) changed_at!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) ends_at!: string | null;
  @ApiProperty({ example: false }) frozen!: boolean;
  @ApiProperty({ example: 'run', description: 'Whether scheduler jobs run during maintenance' })
  jobs!: string;
}

/** What drydock adds with `?extended=true` (`heroku apps:info -x`). */
export class AppExtendedDto {
  @ApiProperty({ type: ExtendedReleaseDto, description: 'The release the dynos run' })
  current_release!: ExtendedReleaseDto;
  @ApiProperty({
    type: ExtendedSlugDto,
    nullable: true,
    description: 'The slug the current release runs; null before the first deploy',
  })
  slug!: ExtendedSlugDto | null;
  @ApiProperty({ type: ExtendedMaintenanceDto }) maintenance!: ExtendedMaintenanceDto;
  @ApiProperty({ example: 4, description: 'One-off dynos started so far (run.1 … run.N)' })
  one_off_dynos_started!: number;
}

/** Heroku's App resource. */
export class AppResponseDto {
  @ApiProperty({ example: false }) acm!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null }) archived_at!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) buildpack_provided_description!:
    string | null;
  @ApiProperty({ type: RefDto }) build_stack!: CatalogueRef;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({
    example: 'complete',
    description: 'Not in the published schema, but read by `heroku apps:info`',
  })
  create_status!: 'complete';
  @ApiProperty({ type: RefDto }) generation!: CatalogueRef;
  @ApiProperty({
    example: 'https://drydock.example.com/myapp.git',
    description:
      "As the Heroku CLI computes it (apps:create): https on the API's host. drydock serves no git there: deploy slugs through the API",
  })
  git_url!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: Boolean, nullable: true, example: false }) internal_routing!: boolean | null;
  @ApiProperty({
    example: false,
    description: 'Maintenance mode: routers answer every request with the maintenance page',
  })
  maintenance!: boolean;
  @ApiProperty({ example: 'myapp' }) name!: string;
  @ApiProperty({ type: OwnerDto }) owner!: OwnerDto;
  @ApiProperty({ type: RefDto, nullable: true, example: null }) organization!: CatalogueRef | null;
  @ApiProperty({ type: RefDto, nullable: true, example: null }) team!: CatalogueRef | null;
  @ApiProperty({ type: RefDto }) region!: CatalogueRef;
  @ApiProperty({ type: String, nullable: true, example: null }) released_at!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'Always null: drydock keeps no git repository',
  })
  repo_size!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2048,
    description: "Bytes of the current release's slug; null when it runs none",
  })
  slug_size!: number | null;
  @ApiProperty({ type: AppSpaceDto, nullable: true }) space!: AppSpaceDto | null;
  @ApiProperty({ type: RefDto }) stack!: CatalogueRef;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ type: String, nullable: true, example: 'https://myapp.localhost/' }) web_url!:
    string | null;
  @ApiPropertyOptional({ type: AppExtendedDto, description: 'Only with ?extended=true' })
  extended?: AppExtendedDto;
}

/**
 * The git URL the Heroku CLI prints on apps:create: https, the host of HEROKU_HOST (the
 * API's address), the app's name. The one place drydock makes it, so apps:info agrees.
 */
export function gitUrl(apiBaseUrl: string, appName: string): string {
  return `https://${new URL(apiBaseUrl).host}/${appName}.git`;
}

/** The response's hosts: where clients reach the API (PUBLIC_URL or the request's) and apps. */
export interface AppHosts {
  apiBaseUrl: string;
  appsDomain: string;
}

export function toAppResponse(app: AppWithRelations, hosts: AppHosts): AppResponseDto {
  const current = app.releases[0];
  const slugSize = current?.slug?.blob.size;
  return {
    acm: false,
    archived_at: null,
    buildpack_provided_description: null,
    build_stack: stackRef(buildStackOf(app)),
    created_at: app.createdAt.toISOString(),
    create_status: 'complete',
    generation: GENERATION,
    git_url: gitUrl(hosts.apiBaseUrl, app.name),
    id: app.id,
    internal_routing: app.space ? false : null,
    maintenance: app.maintenance,
    name: app.name,
    owner: { id: app.owner.id, email: app.owner.email },
    organization: null,
    team: null,
    region: regionRef(app.region),
    released_at: current?.createdAt.toISOString() ?? null,
    repo_size: null,
    slug_size: slugSize === undefined || slugSize === null ? null : Number(slugSize),
    space: app.space ? { id: app.space.id, name: app.space.name, shield: app.space.shield } : null,
    stack: stackRef(app.stack),
    updated_at: app.updatedAt.toISOString(),
    web_url: `https://${app.name}.${hosts.appsDomain}/`,
  };
}

export function toAppExtended(app: AppWithRelations, release: CurrentRelease): AppExtendedDto {
  const slug = release.slug;
  const uploaded = slug?.blob.completedAt;
  return {
    current_release: {
      version: release.version,
      description: release.description,
      created_at: release.createdAt.toISOString(),
    },
    slug: slug
      ? {
          id: slug.id,
          commit: slug.commit,
          checksum: uploaded && slug.blob.sha256 ? `SHA256:${slug.blob.sha256}` : null,
          size: uploaded && slug.blob.size !== null ? Number(slug.blob.size) : null,
          stack: slug.stack,
        }
      : null,
    maintenance: {
      enabled: app.maintenance,
      reason: app.maintenanceReason,
      changed_at: app.maintenanceChangedAt?.toISOString() ?? null,
      ends_at: app.maintenanceEndsAt?.toISOString() ?? null,
      frozen: app.maintenanceFrozen,
      jobs: app.maintenanceJobs,
    },
    one_off_dynos_started: app.oneOffCount,
  };
}
