import { ApiProperty } from '@nestjs/swagger';
import type { Region } from '../common/heroku/catalogue.js';

/** When drydock's region catalogue came to be (its first migration); it has not changed since. */
const CATALOGUE_DATE = '2026-11-27T00:00:00.000Z';

class RegionProviderDto {
  @ApiProperty({
    example: 'drydock',
    description: "drydock: the operator's own hosts, run by drydock's dyno managers",
  })
  name!: string;
  @ApiProperty({ example: 'us', description: "drydock's name for the region" })
  region!: string;
}

/** Heroku's Region resource. */
export class RegionResponseDto {
  @ApiProperty({ example: 'United States' }) country!: string;
  @ApiProperty({ example: CATALOGUE_DATE }) created_at!: string;
  @ApiProperty({ example: 'United States' }) description!: string;
  @ApiProperty({ format: 'uuid', example: '59accabd-516d-4f0e-83e6-6e3757701145' }) id!: string;
  @ApiProperty({
    example: 'United States',
    description: 'drydock does not know where in the country the hosts stand: the country again',
  })
  locale!: string;
  @ApiProperty({ example: 'us' }) name!: string;
  @ApiProperty({
    example: true,
    description: 'Every drydock region takes both apps and Private Spaces',
  })
  private_capable!: boolean;
  @ApiProperty({ type: RegionProviderDto }) provider!: RegionProviderDto;
  @ApiProperty({ example: CATALOGUE_DATE }) updated_at!: string;
}

export function toRegionResponse(region: Region): RegionResponseDto {
  return {
    country: region.country,
    created_at: CATALOGUE_DATE,
    description: region.description,
    id: region.id,
    locale: region.description,
    name: region.name,
    // Spaces are validated against the same catalogue as apps: any region can hold one.
    private_capable: true,
    provider: { name: 'drydock', region: region.name },
    updated_at: CATALOGUE_DATE,
  };
}
