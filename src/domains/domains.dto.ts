import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { MAX_HOSTNAME_LENGTH } from './domain-hostname.js';

export class DomainCreateDto {
  @ApiProperty({
    example: 'www.example.com',
    maxLength: MAX_HOSTNAME_LENGTH,
    description:
      'A full host name (RFC 1123 labels, at least one dot), stored lower case without a trailing dot. Not a wildcard, ' +
      'not an IP address, not under APPS_DOMAIN (where apps get their default domains), not already an app’s domain.',
  })
  @IsString()
  hostname!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: null,
    description:
      'The SNI endpoint to serve the domain with; drydock has none (GET /apps/{app}/sni-endpoints is empty), so only null.',
  })
  @IsOptional()
  @IsString()
  sni_endpoint?: string | null;
}

class DomainAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

/** Heroku's domain resource. */
export class DomainResponseDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'drydock manages no certificates (no ACM): always null',
  })
  acm_status!: null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Always null' })
  acm_status_reason!: null;
  @ApiProperty({ type: DomainAppDto }) app!: DomainAppDto;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'myapp.apps.example.com',
    description:
      "Where to point a custom domain's DNS (a CNAME, or an ALIAS at the apex): the app's default domain. Null for the default domain itself.",
  })
  cname!: string | null;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: 'www.example.com' }) hostname!: string;
  @ApiProperty({
    format: 'uuid',
    description: "The default domain's id is derived from the app's (it is not stored)",
  })
  id!: string;
  @ApiProperty({
    enum: ['heroku', 'custom'],
    example: 'custom',
    description: 'heroku: the default `<app>.<APPS_DOMAIN>`, which follows renames; custom: added',
  })
  kind!: 'heroku' | 'custom';
  @ApiProperty({
    type: Object,
    nullable: true,
    example: null,
    description: 'drydock has no SNI endpoints: always null',
  })
  sni_endpoint!: null;
  @ApiProperty({
    example: 'succeeded',
    description:
      'succeeded: routers send the host name to the app from the moment it is stored (drydock provisions no DNS or certificates, so nothing is pending)',
  })
  status!: 'succeeded';
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) updated_at!: string;
}
