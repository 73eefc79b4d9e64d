import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import { inspectSlugArchive, SlugArchiveError } from '../common/archive/slug-archive.js';
import { isDynoManager, NOT_A_DYNO_MANAGER } from '../common/auth/principal.js';
import type { Principal } from '../common/auth/principal.js';
import {
  ForbiddenError,
  InvalidParamsError,
  NotFoundError,
  PayloadTooLargeError,
} from '../common/errors/api-errors.js';
import { knownStack } from '../common/heroku/catalogue.js';
import { buildStackOf } from '../common/heroku/stack-rules.js';
import { type AppConfig, encryptionKeyOf } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { parseProcessTypes } from '../formations/process-types.js';
import { BlobStore } from '../store/blob.repository.js';
import { SlugRepository, SlugWithBlob } from '../store/slug.repository.js';
import {
  checkDownload,
  downloadSigningKey,
  downloadUrl,
  newUploadToken,
  uploadTokenMatches,
  uploadUrl,
} from './slug-urls.js';
import { SlugCreateDto, SlugResponseDto, toSlugResponse } from './slugs.dto.js';

export interface SlugArchive {
  size: number;
  stream: Readable;
}

/**
 * Heroku's slugs: code (a gzipped tarball of `./app`) with its process types. The archive
 * goes to blob storage through an upload URL that needs no token, as S3's presigned URLs.
 */
@Injectable()
export class SlugsService {
  private readonly signingKey: Buffer;

  constructor(
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly slugs: SlugRepository,
    private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.signingKey = downloadSigningKey(encryptionKeyOf(config));
  }

  /** A slug waiting for its archive; `blob.url` takes it once, within SLUG_URL_TTL_SECONDS. */
  create(
    principal: Principal,
    idOrName: string,
    input: SlugCreateDto,
    requestBaseUrl: string,
  ): Promise<SlugResponseDto> {
    const processTypes = parseProcessTypes(input.process_types);
    return this.changes.apply(principal, idOrName, async (change) => {
      const upload = newUploadToken();
      const slug = await this.slugs.create(change.tx, change.app.id, {
        processTypes,
        commit: input.commit ?? null,
        commitDescription: input.commit_description ?? null,
        buildpackProvidedDescription: input.buildpack_provided_description ?? null,
        // Made for the stack the next deploy takes, as a build on Heroku is.
        stack: knownStack(input.stack ?? buildStackOf(change.app)),
        declaredSha256: input.checksum
          ? input.checksum.slice('SHA256:'.length).toLowerCase()
          : null,
        uploadTokenHash: upload.hash,
        uploadExpiresAt: new Date(Date.now() + this.config.slugUrlTtlSeconds * 1000),
      });
      await change.record('slug.create', { slug_id: slug.id, commit: slug.commit });
      return toSlugResponse(slug, {
        method: 'put',
        url: uploadUrl(this.baseUrl(requestBaseUrl), slug.id, upload.token),
      });
    });
  }

  /** The slug, with a download URL for its archive. Another app's slug is not found. */
  async info(
    principal: Principal,
    idOrName: string,
    slugId: string,
    requestBaseUrl: string,
  ): Promise<SlugResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const slug = await this.slugs.findForApp(app.id, slugId);
    if (!slug) throw new NotFoundError("Couldn't find that slug.");
    const expiresAt = Math.floor(Date.now() / 1000) + this.config.slugUrlTtlSeconds;
    return toSlugResponse(slug, {
      method: 'get',
      url: downloadUrl(this.baseUrl(requestBaseUrl), this.signingKey, slug.id, expiresAt),
    });
  }

  /**
   * Takes the archive PUT to a slug's upload URL, streaming it into blob storage while it
   * is checked (slug-archive.ts). Anything refused leaves nothing behind; the URL works
   * until one upload completes.
   */
  async upload(
    slugId: string,
    token: string | undefined,
    body: Readable,
    contentLength: number | undefined,
  ): Promise<void> {
    const slug = await this.slugs.find(slugId);
    const tokenHash = slug?.uploadTokenHash;
    if (!tokenHash || !slug.uploadExpiresAt || !uploadTokenMatches(tokenHash, token)) {
      throw new ForbiddenError(
        'This upload URL is not valid: it was used already, or never existed.',
      );
    }
    if (slug.uploadExpiresAt.getTime() <= Date.now()) {
      throw new ForbiddenError(
        `This upload URL expired at ${slug.uploadExpiresAt.toISOString()}: create another slug.`,
      );
    }
    const maxBytes = this.config.slugMaxBytes;
    if (contentLength !== undefined && contentLength > maxBytes) throw tooLarge(maxBytes);

    const writer = await this.blobs.writer();
    try {
      const archive = await inspectSlugArchive(body, {
        maxBytes,
        onChunk: (chunk) => writer.write(chunk),
      });
      if (slug.declaredSha256 && slug.declaredSha256 !== archive.sha256) {
        throw new InvalidParamsError(
          `The archive's checksum is SHA256:${archive.sha256}, not the SHA256:${slug.declaredSha256} the slug was created with.`,
        );
      }
      const blob = await writer.finish();
      if (!(await this.slugs.attachUpload(slug.id, tokenHash, blob.id))) {
        throw new ForbiddenError('This upload URL was used by another upload meanwhile.');
      }
    } catch (error) {
      await writer.abort();
      if (error instanceof SlugArchiveError) {
        if (error.tooLarge) throw tooLarge(maxBytes);
        await discardRest(body, maxBytes);
        throw new InvalidParamsError(error.message);
      }
      throw error;
    }
  }

  /** The archive behind a download URL that `info` signed. */
  async download(
    slugId: string,
    expires: string | undefined,
    signature: string | undefined,
  ): Promise<SlugArchive> {
    const check = checkDownload(this.signingKey, slugId, expires, signature, Date.now());
    if (check === 'expired') {
      throw new ForbiddenError('This download URL expired: get the slug again for a new one.');
    }
    if (check === 'forged') throw new ForbiddenError('This download URL is not valid.');
    return this.archiveOf(await this.slugs.find(slugId));
  }

  /** The archive of any app's slug, for dyno managers (and admins). */
  async archiveForManager(principal: Principal, slugId: string): Promise<SlugArchive> {
    if (!isDynoManager(principal)) throw new ForbiddenError(NOT_A_DYNO_MANAGER);
    return this.archiveOf(await this.slugs.find(slugId));
  }

  private async archiveOf(slug: SlugWithBlob | null): Promise<SlugArchive> {
    if (!slug) throw new NotFoundError("Couldn't find that slug.");
    const blob = await this.blobs.stat(slug.blobId);
    if (!blob) throw new NotFoundError('That slug has no uploaded archive yet.');
    return { size: blob.size, stream: this.blobs.read(blob.id) };
  }

  /** PUBLIC_URL when set, else where this request came in (protocol and host, as trusted). */
  private baseUrl(requestBaseUrl: string): string {
    return this.config.publicUrl ?? requestBaseUrl;
  }
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`A slug may be at most ${maxBytes} bytes (SLUG_MAX_BYTES).`);
}

/**
 * Reads what the client still sends after a refusal (up to the most a slug may be), so it
 * reads the answer instead of losing it to a reset connection.
 */
async function discardRest(body: Readable, maxBytes: number): Promise<void> {
  if (body.readableEnded || body.destroyed) return;
  let seen = 0;
  await new Promise<void>((resolve) => {
    const done = () => {
      body.off('data', onData).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) {
        body.pause();
        done();
      }
    };
    body.on('data', onData).on('end', done).on('close', done).on('error', done);
  });
}
