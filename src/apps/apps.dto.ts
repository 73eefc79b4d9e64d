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
import type { AppWithRelations } from '../store/app.repository.js';

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
  @ApiProperty({ example: 'https://git.localhost/myapp.git' }) git_url!: string;
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
  @ApiProperty({ type: Number, nullable: true, example: null }) repo_size!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: null }) slug_size!: number | null;
  @ApiProperty({ type: AppSpaceDto, nullable: true }) space!: AppSpaceDto | null;
  @ApiProperty({ type: RefDto }) stack!: CatalogueRef;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ type: String, nullable: true, example: 'https://myapp.localhost/' }) web_url!:
    string | null;
}

export function toAppResponse(app: AppWithRelations, appsDomain: string): AppResponseDto {
  return {
    acm: false,
    archived_at: null,
    buildpack_provided_description: null,
    build_stack: stackRef(app.stack),
    created_at: app.createdAt.toISOString(),
    create_status: 'complete',
    generation: GENERATION,
    git_url: `https://git.${appsDomain}/${app.name}.git`,
    id: app.id,
    internal_routing: app.space ? false : null,
    maintenance: app.maintenance,
    name: app.name,
    owner: { id: app.owner.id, email: app.owner.email },
    organization: null,
    team: null,
    region: regionRef(app.region),
    released_at: app.releases[0]?.createdAt.toISOString() ?? null,
    repo_size: null,
    slug_size: null,
    space: app.space ? { id: app.space.id, name: app.space.name, shield: app.space.shield } : null,
    stack: stackRef(app.stack),
    updated_at: app.updatedAt.toISOString(),
    web_url: `https://${app.name}.${appsDomain}/`,
  };
}
