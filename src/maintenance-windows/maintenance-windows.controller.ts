import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import type { ListRange } from '../common/heroku/range.js';
import { Page } from '../common/heroku/range.js';
import {
  MaintenanceWindowCreateDto,
  MaintenanceWindowResponseDto,
} from './maintenance-windows.dto.js';
import { MaintenanceWindowsService, WINDOW_RANGE_FIELDS } from './maintenance-windows.service.js';

const APP_PARAM = { name: 'app_id_or_name', description: 'App name or id', example: 'myapp' };
const WINDOW_PARAM = { name: 'window_id', description: "The window's id", format: 'uuid' };

@ApiTags('maintenance')
@Authenticated()
@Controller('apps/:app_id_or_name/maintenance/windows')
export class MaintenanceWindowsController {
  constructor(private readonly windows: MaintenanceWindowsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Plan a maintenance window',
    description:
      'At `starts_at` maintenance turns on with the reason, the `scale_down` types recorded and scaled to 0, and the freeze ' +
      '(history source `window`); at `ends_at`, with `auto_off` (the default), the snapshot is restored and maintenance turns off. ' +
      'Each transition happens exactly once, whichever API replicas are up (the job engine on PostgreSQL); a start that came due ' +
      'while every replica was down happens at the next boot, unless the window is over by then. While the window is active, routers ' +
      'answer with `Retry-After` counting down to `ends_at`. Windows of one app may not overlap (409); a start in the past, an end ' +
      'before the start or a window longer than MAINTENANCE_WINDOW_MAX_HOURS is a 422.',
  })
  @ApiParam(APP_PARAM)
  @ApiBody({
    type: MaintenanceWindowCreateDto,
    examples: {
      upgrade: {
        value: {
          starts_at: '2026-12-05T02:00:00Z',
          ends_at: '2026-12-05T04:00:00Z',
          reason: 'Upgrading PostgreSQL',
          scale_down: ['worker', 'clock'],
          auto_off: true,
        },
      },
    },
  })
  @ApiCreatedResponse({ type: MaintenanceWindowResponseDto })
  @ApiErrors(403, 404, 409, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: MaintenanceWindowCreateDto,
  ): Promise<MaintenanceWindowResponseDto> {
    return this.windows.create(principal, app, body);
  }

  @Get()
  @ApiOperation({
    summary: "An app's maintenance windows",
    description:
      'Every window, planned or past, by start time; `Range: starts_at ..; max=20, order=desc` for the latest.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [MaintenanceWindowResponseDto] })
  @ApiErrors(403, 404, 416)
  @Paginated(WINDOW_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @ListRangeHeader({ fields: WINDOW_RANGE_FIELDS }) range: ListRange,
  ): Promise<Page<MaintenanceWindowResponseDto>> {
    return this.windows.list(principal, app, range);
  }

  @Get(':window_id')
  @ApiOperation({ summary: 'One maintenance window' })
  @ApiParam(APP_PARAM)
  @ApiParam(WINDOW_PARAM)
  @ApiOkResponse({ type: MaintenanceWindowResponseDto })
  @ApiErrors(403, 404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('window_id') windowId: string,
  ): Promise<MaintenanceWindowResponseDto> {
    return this.windows.info(principal, app, windowId);
  }

  @Delete(':window_id')
  @ApiOperation({
    summary: 'Cancel a maintenance window',
    description:
      'A scheduled window will not start. Cancelling an active window ends the maintenance it started now, restoring its ' +
      'snapshot. A completed or cancelled window cannot be cancelled (409).',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(WINDOW_PARAM)
  @ApiOkResponse({ type: MaintenanceWindowResponseDto })
  @ApiErrors(403, 404, 409)
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('window_id') windowId: string,
  ): Promise<MaintenanceWindowResponseDto> {
    return this.windows.cancel(principal, app, windowId);
  }
}
