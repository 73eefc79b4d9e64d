import { Omittable } from '../common/validation/omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { GENERATION, REGION_NAMES, regionNamed, regionRef } from '../common/heroku/catalogue.js';
import type { CatalogueRef } from '../common/heroku/catalogue.js';
import { RegionResponseDto, toRegionResponse } from '../regions/regions.dto.js';
import type { SpaceWithOwner } from '../store/space.repository.js';

/** Heroku's space name rule: lowercase letters, digits and single dashes inside. */
export const SPACE_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?!-))+[a-z0-9]$/;
const SPACE_NAME_RULE =
  'Space name must be lowercase letters, digits and single dashes, start and end with a letter or digit, and be 3 to 30 characters long.';

export class SpaceCreateDto {
  @ApiProperty({ example: 'nasa', description: SPACE_NAME_RULE })
  @IsString()
  @MaxLength(30, { message: SPACE_NAME_RULE })
  @Matches(SPACE_NAME_PATTERN, { message: SPACE_NAME_RULE })
  name!: string;

  @ApiPropertyOptional({ example: 'us', enum: REGION_NAMES })
  @Omittable()
  @IsIn(REGION_NAMES, { message: `region must be one of ${REGION_NAMES.join(', ')}` })
  region?: string;

  @ApiPropertyOptional({
    example: false,
    description: 'A Shield space (stricter compliance; shield-* dyno sizes)',
  })
  @Omittable()
  @IsBoolean()
  shield?: boolean;

  @ApiPropertyOptional({
    example: 'my-team',
    description:
      "`heroku spaces:create` requires --team. drydock has no teams: every space belongs to its owner's personal team, so this is accepted and not kept",
  })
  @Omittable()
  @IsString()
  team?: string;

  @ApiPropertyOptional({
    example: [],
    description: 'Accepted for Heroku CLI compatibility; must be empty',
    type: [String],
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(0, { message: 'features: drydock spaces have no optional features' })
  features?: string[];

  @ApiPropertyOptional({
    example: 'cedar',
    enum: ['cedar'],
    description: 'drydock spaces are of the cedar generation',
  })
  @Omittable()
  @IsIn(['cedar'], { message: 'generation must be cedar' })
  generation?: string;
}

class SpaceTeamDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

/** Heroku's Space resource. Every drydock space is private: apps in it get private-* sizes. */
export class SpaceResponseDto {
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nasa' }) name!: string;
  @ApiProperty({ type: Object, nullable: true, example: null }) organization!: {
    name: string;
  } | null;
  @ApiProperty({
    type: SpaceTeamDto,
    description:
      "drydock has no teams: this is the owner's personal team (id and email of the account)",
  })
  team!: SpaceTeamDto;
  @ApiProperty({
    example: { id: '59accabd-516d-4f0e-83e6-6e3757701145', name: 'us' },
    description: 'With `Accept-Expansion: region`, the whole Region resource',
  })
  region!: CatalogueRef | RegionResponseDto;
  @ApiProperty({ example: false }) shield!: boolean;
  @ApiProperty({ example: 'allocated', enum: ['allocating', 'allocated', 'deleting'] })
  state!: string;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ example: '10.0.0.0/16' }) cidr!: string;
  @ApiProperty({ example: '10.1.0.0/16' }) data_cidr!: string;
  @ApiProperty({ example: { id: '8a8a8f4b-3a3e-4f77-9c5a-0c9a1d2b3e41', name: 'cedar' } })
  generation!: CatalogueRef;
}

/** What a space's response sends in full (Heroku's `Accept-Expansion`). */
export type SpaceExpansion = ReadonlySet<string>;

export function toSpaceResponse(
  space: SpaceWithOwner,
  expand: SpaceExpansion = new Set(),
): SpaceResponseDto {
  return {
    created_at: space.createdAt.toISOString(),
    id: space.id,
    name: space.name,
    organization: null,
    team: { id: space.owner.id, name: space.owner.email },
    region: expand.has('region')
      ? toRegionResponse(regionNamed(space.region))
      : regionRef(space.region),
    shield: space.shield,
    state: 'allocated',
    updated_at: space.updatedAt.toISOString(),
    cidr: '10.0.0.0/16',
    data_cidr: '10.1.0.0/16',
    generation: GENERATION,
  };
}

/**
 * Heroku's Space NAT resource: the addresses a space's outbound traffic leaves from.
 * drydock has no NAT gateway (dynos leave through their host's own address), so it is
 * always disabled with no sources, as Heroku reports a space without stable outbound IPs.
 */
export class SpaceNatResponseDto {
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ type: [String], example: [], description: 'Always empty: no NAT gateway' })
  sources!: string[];
  @ApiProperty({ example: 'disabled', enum: ['disabled', 'updating', 'enabled'] })
  state!: 'disabled' | 'updating' | 'enabled';
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
}

export function toSpaceNatResponse(space: SpaceWithOwner): SpaceNatResponseDto {
  return {
    created_at: space.createdAt.toISOString(),
    sources: [],
    state: 'disabled',
    updated_at: space.updatedAt.toISOString(),
  };
}
