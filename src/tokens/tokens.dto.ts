import { Omittable } from '../common/validation/omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsEmpty,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ALL_SCOPES, Scope, SERVICE_SCOPES } from '../common/auth/scopes.js';
import type { TokenWithAccount } from '../store/token.repository.js';

export class TokenCreateDto {
  @ApiPropertyOptional({
    example: ['global'],
    enum: ALL_SCOPES,
    isArray: true,
    default: ['global'],
    description: `global: everything you can do; write: read and change your apps; read: read your apps; identity: GET /account only. Admins only: ${SERVICE_SCOPES.join(', ')} (routers, schedulers, dyno managers).`,
  })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ALL_SCOPES.length)
  @IsIn(ALL_SCOPES, { each: true, message: `scope entries must be among ${ALL_SCOPES.join(', ')}` })
  scope?: Scope[];

  @ApiPropertyOptional({ example: 'CI deploys' })
  @Omittable()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({
    example: 2592000,
    description: 'Seconds until the token expires; never when omitted',
  })
  @Omittable()
  // The Heroku CLI sends it as a string ("3600").
  @Type(() => Number)
  @IsInt({ message: 'expires_in must be a whole number of seconds' })
  @Min(60)
  @Max(10 * 365 * 24 * 3600)
  expires_in?: number;
}

export class TokenUpdateDto {
  @ApiPropertyOptional({ example: 'CI deploys (rotated monthly)' })
  @Omittable()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({
    type: Object,
    nullable: true,
    example: null,
    description:
      'Accepted for Heroku compatibility as null only: drydock has no OAuth clients to move a token to',
  })
  @Omittable()
  @IsEmpty({ message: 'client: drydock has no OAuth clients; a token cannot be moved to one' })
  client?: null;
}

class AccessTokenDto {
  @ApiProperty({ type: Number, nullable: true, example: 2592000 }) expires_in!: number | null;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    example: 'drydock_3q2-Jx0...',
    description:
      'The token itself in the create and regenerate-tokens responses only; afterwards a masked form (…abcd)',
  })
  token!: string;
}

class AuthorizationUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'dev@example.com' }) email!: string;
  @ApiProperty({ type: String, nullable: true }) full_name!: string | null;
}

/** Heroku's OAuth Authorization resource: an API token and what it may do. */
export class TokenResponseDto {
  @ApiProperty({ type: AccessTokenDto }) access_token!: AccessTokenDto;
  @ApiProperty({ type: Object, nullable: true, example: null }) client!: null;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: 'CI deploys' }) description!: string;
  @ApiProperty({ type: Object, nullable: true, example: null }) grant!: null;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: Object, nullable: true, example: null }) refresh_token!: null;
  @ApiProperty({ example: ['global'], isArray: true, enum: ALL_SCOPES }) scope!: string[];
  @ApiProperty({ type: Object, nullable: true, example: null }) session!: null;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ type: AuthorizationUserDto }) user!: AuthorizationUserDto;
}

export function toTokenResponse(token: TokenWithAccount, plainToken?: string): TokenResponseDto {
  return {
    access_token: {
      expires_in: token.expiresAt
        ? Math.max(0, Math.round((token.expiresAt.getTime() - Date.now()) / 1000))
        : null,
      id: token.id,
      token: plainToken ?? `…${token.tokenSuffix}`,
    },
    client: null,
    created_at: token.createdAt.toISOString(),
    description: token.description,
    grant: null,
    id: token.id,
    refresh_token: null,
    scope: token.scopes,
    session: null,
    updated_at: token.updatedAt.toISOString(),
    user: { id: token.account.id, email: token.account.email, full_name: token.account.name },
  };
}
