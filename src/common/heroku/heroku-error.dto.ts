import { ApiProperty } from '@nestjs/swagger';

/** Heroku's error body, returned with every 4xx and 5xx. */
export class HerokuErrorDto {
  @ApiProperty({ example: 'not_found', description: 'Machine-readable error id' })
  id!: string;

  @ApiProperty({ example: "Couldn't find that app.", description: 'Human-readable explanation' })
  message!: string;
}
