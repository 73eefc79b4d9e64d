import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { stackRef, type CatalogueRef } from '../common/heroku/catalogue.js';
import type { SlugWithBlob } from '../store/slug.repository.js';

/** `POST /apps/{app}/slugs`, Heroku's slug create. */
export class SlugCreateDto {
  @ApiProperty({
    example: { web: 'node web.js', worker: 'node worker.js' },
    description: 'The Procfile of the code: process type to command',
  })
  @IsObject({ message: 'process_types must be an object of process type to command' })
  process_types!: Record<string, string>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '60883d9e8947a57e04dc9124f25df004866a2051',
    description: 'The code in your version control (the SHA of the git HEAD)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  commit?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'fixed a bug' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  commit_description?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Node.js' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  buildpack_provided_description?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    description: 'When given, the upload must have this SHA-256, or it is refused',
  })
  @IsOptional()
  @IsString()
  @Matches(/^SHA256:[0-9a-f]{64}$/i, {
    message: 'checksum must be SHA256: and the 64 hex digits of the archive',
  })
  checksum?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'heroku-24',
    description: "Stack name or id; the app's stack when omitted",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  stack?: string | null;
}

class SlugBlobDto {
  @ApiProperty({
    example: 'put',
    enum: ['put', 'get'],
    description: 'put: upload the archive there (once); get: download it',
  })
  method!: 'put' | 'get';
  @ApiProperty({
    example: 'https://drydock.example.com/slug-uploads/8f2Vb0...',
    description:
      'Needs no Authorization: the URL is the credential. It expires (SLUG_URL_TTL_SECONDS); an upload URL works once',
  })
  url!: string;
}

class StackRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'heroku-24' }) name!: string;
}

/** Heroku's Slug resource. */
export class SlugResponseDto {
  @ApiProperty({ type: SlugBlobDto }) blob!: SlugBlobDto;
  @ApiProperty({ type: String, nullable: true, example: 'Node.js' })
  buildpack_provided_description!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    description: 'SHA-256 of the uploaded archive; null until it is uploaded',
  })
  checksum!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '60883d9e' }) commit!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'fixed a bug' })
  commit_description!: string | null;
  @ApiProperty({ example: '2026-12-02T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: { web: 'node web.js' } }) process_types!: Record<string, string>;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2048,
    description: 'Bytes of the uploaded archive; null until it is uploaded',
  })
  size!: number | null;
  @ApiProperty({ type: StackRefDto }) stack!: CatalogueRef;
  @ApiProperty({ example: '2026-12-02T12:00:00.000Z' }) updated_at!: string;
}

export function toSlugResponse(slug: SlugWithBlob, blob: SlugBlobDto): SlugResponseDto {
  const uploaded = slug.blob.completedAt !== null;
  return {
    blob,
    buildpack_provided_description: slug.buildpackProvidedDescription,
    checksum: uploaded && slug.blob.sha256 ? `SHA256:${slug.blob.sha256}` : null,
    commit: slug.commit,
    commit_description: slug.commitDescription,
    created_at: slug.createdAt.toISOString(),
    id: slug.id,
    process_types: slug.processTypes as Record<string, string>,
    size: uploaded && slug.blob.size !== null ? Number(slug.blob.size) : null,
    stack: stackRef(slug.stack),
    updated_at: slug.updatedAt.toISOString(),
  };
}
