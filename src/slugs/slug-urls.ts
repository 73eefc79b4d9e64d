import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { derivedKey } from '../common/crypto/derived-key.js';

/**
 * Where archives are PUT (`/slug-uploads/{id}?token=...`) and fetched
 * (`/slug-downloads/{id}?expires=...&signature=...`). The secrets ride in the query string,
 * which request logs leave out.
 */
export const UPLOAD_PATH = 'slug-uploads';
export const DOWNLOAD_PATH = 'slug-downloads';

/**
 * A slug's upload URL, as S3's presigned PUT: the URL itself is the credential. 32 random
 * bytes; only their sha256 is stored, so the database never holds a usable URL.
 */
export function newUploadToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashUploadToken(token) };
}

export function hashUploadToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `token` is the one whose sha256 (hex) was kept, compared in constant time. */
export function uploadTokenMatches(hash: string, token: unknown): boolean {
  // A query string may repeat a parameter: an array is no token.
  if (typeof token !== 'string' || !token) return false;
  return timingSafeEqual(Buffer.from(hashUploadToken(token), 'hex'), Buffer.from(hash, 'hex'));
}

export function uploadUrl(baseUrl: string, slugId: string, token: string): string {
  return `${baseUrl}/${UPLOAD_PATH}/${slugId}?token=${token}`;
}

/** The key signing download URLs (which live an hour by default). */
export function downloadSigningKey(encryptionKey: Buffer): Buffer {
  return derivedKey(encryptionKey, 'drydock slug download URLs');
}

/** A download URL good until `expiresAt` (whole seconds since the epoch). */
export function downloadUrl(
  baseUrl: string,
  key: Buffer,
  slugId: string,
  expiresAt: number,
): string {
  const signature = sign(key, slugId, expiresAt);
  return `${baseUrl}/${DOWNLOAD_PATH}/${slugId}?expires=${expiresAt}&signature=${signature}`;
}

export type DownloadCheck = 'valid' | 'expired' | 'forged';

/** Whether a download URL's `expires` and `signature` are ours, and not yet past, at `nowMs`. */
export function checkDownload(
  key: Buffer,
  slugId: string,
  expires: unknown,
  signature: unknown,
  nowMs: number,
): DownloadCheck {
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires)) return 'forged';
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return 'forged';
  const expected = Buffer.from(sign(key, slugId.toLowerCase(), Number(expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'forged';
  return Number(expires) * 1000 <= nowMs ? 'expired' : 'valid';
}

function sign(key: Buffer, slugId: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`${slugId}\n${expiresAt}`).digest('hex');
}
