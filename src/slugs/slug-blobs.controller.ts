import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Put,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/authenticated.decorator.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { HerokuErrorDto } from '../common/heroku/heroku-error.dto.js';
import { RawBody } from '../common/validation/raw-body.js';
import { DOWNLOAD_PATH, UPLOAD_PATH } from './slug-urls.js';
import { SlugsService } from './slugs.service.js';

const FORBIDDEN = {
  status: 403,
  description: 'forbidden: the URL is not valid, was used already, or expired',
  type: HerokuErrorDto,
};

/**
 * The blob URLs a slug hands out, which take no token, as S3's presigned URLs: the URL
 * itself is the credential.
 */
@ApiTags('slugs')
@Public()
@Controller()
export class SlugBlobsController {
  constructor(private readonly slugs: SlugsService) {}

  @Put(`${UPLOAD_PATH}/:slug_id`)
  @RawBody()
  @HttpCode(200)
  @ApiOperation({
    summary: "Upload a slug's archive",
    description:
      "A slug's `blob.url` from POST /apps/{app}/slugs: PUT the gzipped tarball of ./app there (any Content-Type, " +
      'e.g. `curl -X PUT -H "Content-Type:" --data-binary @slug.tgz URL`). It is checked as it streams in; ' +
      'the URL works until one upload succeeds, within SLUG_URL_TTL_SECONDS. 200 with no body.',
  })
  @ApiParam({ name: 'slug_id', format: 'uuid' })
  @ApiQuery({ name: 'token', description: 'The secret part of the upload URL' })
  @ApiConsumes('application/octet-stream', 'application/gzip')
  @ApiBody({
    schema: { type: 'string', format: 'binary' },
    description: 'The archive: every entry ./app or under it',
  })
  @ApiOkResponse({ description: 'Taken' })
  @ApiResponse(FORBIDDEN)
  @ApiErrors(413, 422)
  upload(
    @Param('slug_id') slugId: string,
    @Query('token') token: string | undefined,
    @Headers('content-length') contentLength: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    // A refused upload may leave the body unread: the connection cannot serve another request.
    void reply.header('Connection', 'close');
    const length = contentLength && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
    return this.slugs.upload(slugId, token, request.raw, length);
  }

  @Get(`${DOWNLOAD_PATH}/:slug_id`)
  @ApiOperation({
    summary: "Download a slug's archive",
    description: "A slug's `blob.url` from GET /apps/{app}/slugs/{id}: signed, and it expires.",
  })
  @ApiParam({ name: 'slug_id', format: 'uuid' })
  @ApiQuery({ name: 'expires', description: 'Unix time the URL stops working' })
  @ApiQuery({ name: 'signature', description: 'HMAC-SHA256 of the slug id and expires' })
  @ApiProduces('application/gzip')
  @ApiOkResponse({
    description: 'The gzipped tarball',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse(FORBIDDEN)
  @ApiErrors(404)
  async download(
    @Param('slug_id') slugId: string,
    @Query('expires') expires: string | undefined,
    @Query('signature') signature: string | undefined,
  ): Promise<StreamableFile> {
    const archive = await this.slugs.download(slugId, expires, signature);
    return new StreamableFile(archive.stream, { type: 'application/gzip', length: archive.size });
  }
}
