import { Omittable } from '../common/validation/omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { Account } from '../generated/prisma/client.js';

export class AccountCreateDto {
  @ApiProperty({ example: 'dev@example.com' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ example: 'Tina Edmonds' })
  @Omittable()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    example: false,
    description: 'Admins see and change every app and may mint service tokens',
  })
  @Omittable()
  @IsBoolean()
  admin?: boolean;
}

export class AccountUpdateDto {
  @ApiPropertyOptional({ example: 'Tina Edmonds', nullable: true, type: String })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({
    example: true,
    description: 'Accepted for Heroku compatibility; drydock does no tracking',
  })
  @Omittable()
  @IsBoolean()
  allow_tracking?: boolean;

  @ApiPropertyOptional({ example: false, description: 'Accepted for Heroku compatibility' })
  @Omittable()
  @IsBoolean()
  beta?: boolean;
}

class TeamRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

/** Heroku's Account resource. */
export class AccountResponseDto {
  @ApiProperty({ example: false }) allow_tracking!: boolean;
  @ApiProperty({ example: false }) beta!: boolean;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: 'dev@example.com' }) email!: string;
  @ApiProperty({ example: false }) federated!: boolean;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: Object, nullable: true, example: null }) identity_provider!: null;
  @ApiProperty({ type: String, nullable: true, example: null }) last_login!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Tina Edmonds' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) sms_number!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) suspended_at!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) delinquent_at!: string | null;
  @ApiProperty({ example: false }) two_factor_authentication!: boolean;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ example: true }) verified!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null }) country_of_residence!:
    string | null;
  @ApiProperty({ type: TeamRefDto, nullable: true, example: null })
  default_organization!: TeamRefDto | null;
  @ApiProperty({ type: TeamRefDto, nullable: true, example: null })
  default_team!: TeamRefDto | null;
}

export class AccountCreatedDto extends AccountResponseDto {
  @ApiProperty({
    example: 'drydock_3q2-Jx0...',
    description:
      'A global-scope API token for the new account. Shown once; only its hash is stored.',
  })
  token!: string;
}

export function toAccountResponse(account: Account): AccountResponseDto {
  return {
    allow_tracking: false,
    beta: false,
    created_at: account.createdAt.toISOString(),
    email: account.email,
    federated: false,
    id: account.id,
    identity_provider: null,
    last_login: null,
    name: account.name,
    sms_number: null,
    suspended_at: null,
    delinquent_at: null,
    two_factor_authentication: false,
    updated_at: account.updatedAt.toISOString(),
    verified: true,
    country_of_residence: null,
    default_organization: null,
    default_team: null,
  };
}
