import { Omittable } from '../common/validation/omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsString,
  Matches,
  ValidateNested,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import type { Formation } from '../generated/prisma/client.js';
import { knownDynoSize } from '../dyno-sizes/dyno-size-catalogue.js';

/** Quantity as a number or the string the Heroku CLI sends ("3", "+1", "-1"); checked in the service. */
@ValidatorConstraint({ name: 'quantity' })
class QuantityConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return (
      (typeof value === 'number' && Number.isInteger(value)) ||
      (typeof value === 'string' && /^[+-]?\d{1,6}$/.test(value.trim()))
    );
  }
  defaultMessage(): string {
    return 'quantity must be a whole number, or a string like "3", "+1" or "-1"';
  }
}

export class DynoSizeRefDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable()
  @IsString()
  id?: string;

  @ApiPropertyOptional({ example: 'Standard-2X' })
  @Omittable()
  @IsString()
  name?: string;
}

const OVERRIDE_DESCRIPTION =
  'Scale web to 0 in a Private Space even while the app is in maintenance. There the routing proxy runs on the web dynos, so visitors get errors instead of the maintenance page.';

/** What may change about one process type. */
class FormationChangeDto {
  @ApiPropertyOptional({
    example: 2,
    oneOf: [{ type: 'integer' }, { type: 'string', example: '+1' }],
    description: 'Absolute, or relative as "+N" / "-N" (the strings `heroku ps:scale` sends)',
  })
  @Omittable()
  @Validate(QuantityConstraint)
  quantity?: number | string;

  @ApiPropertyOptional({
    example: 'Standard-2X',
    description: 'Dyno size name (any case); deprecated by Heroku in favour of dyno_size',
  })
  @Omittable()
  @IsString()
  size?: string;

  @ApiPropertyOptional({ type: DynoSizeRefDto })
  @Omittable()
  @ValidateNested()
  @Type(() => DynoSizeRefDto)
  dyno_size?: DynoSizeRefDto;
}

export class FormationUpdateDto extends FormationChangeDto {
  @ApiPropertyOptional({ example: false, description: OVERRIDE_DESCRIPTION })
  @Omittable()
  @IsBoolean()
  override_private_space_guard?: boolean;
}

export class FormationBatchItemDto extends FormationChangeDto {
  @ApiProperty({ example: 'worker' })
  @IsString()
  @Matches(/^[-\w]{1,128}$/, { message: 'type must be a process type such as web or worker' })
  type!: string;
}

export class FormationBatchUpdateDto {
  @ApiProperty({
    type: [FormationBatchItemDto],
    example: [
      { type: 'web', quantity: 3, size: 'Private-M' },
      { type: 'worker', quantity: '0' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => FormationBatchItemDto)
  updates!: FormationBatchItemDto[];

  @ApiPropertyOptional({ example: false, description: OVERRIDE_DESCRIPTION })
  @Omittable()
  @IsBoolean()
  override_private_space_guard?: boolean;
}

class FormationAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

class FormationDynoSizeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Standard-1X' }) name!: string;
}

/** Heroku's Formation resource. */
export class FormationResponseDto {
  @ApiProperty({ type: FormationAppDto }) app!: FormationAppDto;
  @ApiProperty({ example: 'npm start' }) command!: string;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ type: FormationDynoSizeDto }) dyno_size!: FormationDynoSizeDto;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 1 }) quantity!: number;
  @ApiProperty({ example: 'Standard-1X' }) size!: string;
  @ApiProperty({ example: 'web' }) type!: string;
  @ApiProperty({ example: '2026-11-27T12:00:00.000Z' }) updated_at!: string;
}

export function toFormationResponse(
  formation: Formation,
  app: { id: string; name: string },
): FormationResponseDto {
  return {
    app: { id: app.id, name: app.name },
    command: formation.command,
    created_at: formation.createdAt.toISOString(),
    dyno_size: { id: knownDynoSize(formation.size).id, name: formation.size },
    id: formation.id,
    quantity: formation.quantity,
    size: formation.size,
    type: formation.type,
    updated_at: formation.updatedAt.toISOString(),
  };
}
