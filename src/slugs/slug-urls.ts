import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where archives are PUT (`/slug-uploads/{token}`) and fetched (`/slug-downloads/{id}?...`). */
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

export function uploadUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/${UPLOAD_PATH}/${token}`;
}

/**
 * The key signing download URLs, derived from the encryption key every replica shares, so
 * any replica checks a URL another one signed and nothing is stored per URL. A new
 * encryption key invalidates the URLs out (they live an hour by default).
 */
export function downloadSigningKey(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('drydock slug download URLs').digest();
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
  expires: string | undefined,
  signature: string | undefined,
  nowMs: number,
): DownloadCheck {
  if (!expires || !/^\d{1,12}$/.test(expires) || !signature || !/^[0-9a-f]{64}$/.test(signature)) {
    return 'forged';
  }
  const expected = Buffer.from(sign(key, slugId.toLowerCase(), Number(expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'forged';
  return Number(expires) * 1000 <= nowMs ? 'expired' : 'valid';
}

function sign(key: Buffer, slugId: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`${slugId}\n${expiresAt}`).digest('hex');
}
