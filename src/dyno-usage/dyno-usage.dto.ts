import { ApiProperty } from '@nestjs/swagger';

/** Usage of one process type and size on one UTC day. */
export class DynoUsageDto {
  @ApiProperty({ example: '2026-12-01', description: 'UTC day' }) date!: string;
  @ApiProperty({ example: 'web' }) type!: string;
  @ApiProperty({ example: 'Standard-1X' }) size!: string;
  @ApiProperty({
    example: 172800,
    description: 'Seconds dynos of this type and size were up, as their manager reported',
  })
  seconds!: number;
  @ApiProperty({
    example: 2,
    description:
      "Heroku's dyno units: dyno-days weighted by the size's precise_dyno_units (a Standard-1X up all day is 1)",
  })
  dyno_units!: number;
  @ApiProperty({
    example: 3600,
    description:
      'Of `seconds`, those spent while the app was in maintenance mode (dynos keep running, and accruing usage, in maintenance)',
  })
  maintenance_seconds!: number;
}
