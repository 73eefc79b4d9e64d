import { createHash } from 'node:crypto';
import {
  checkDownload,
  downloadSigningKey,
  downloadUrl,
  hashUploadToken,
  newUploadToken,
  uploadTokenMatches,
  uploadUrl,
} from './slug-urls.js';

const KEY = downloadSigningKey(Buffer.alloc(32, 1));
const SLUG = '0b7e1e52-8c47-4d1a-9d5c-0e6f1d3c2a11';
const NOW = 1_800_000_000_000;

function query(url: string): { expires?: string; signature?: string } {
  const parsed = new URL(url);
  return {
    expires: parsed.searchParams.get('expires') ?? undefined,
    signature: parsed.searchParams.get('signature') ?? undefined,
  };
}

describe('slug upload URLs', () => {
  it('carry 32 random bytes, of which only the sha256 is kept', () => {
    const { token, hash } = newUploadToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashUploadToken(token)).toBe(hash);
    expect(newUploadToken().token).not.toBe(token);
    expect(uploadUrl('https://api.example.com', SLUG, token)).toBe(
      `https://api.example.com/slug-uploads/${SLUG}?token=${token}`,
    );
  });

  it('match only their own token', () => {
    const { token, hash } = newUploadToken();
    expect(uploadTokenMatches(hash, token)).toBe(true);
    expect(uploadTokenMatches(hash, newUploadToken().token)).toBe(false);
    expect(uploadTokenMatches(hash, `${token}x`)).toBe(false);
    expect(uploadTokenMatches(hash, '')).toBe(false);
    expect(uploadTokenMatches(hash, undefined)).toBe(false);
    expect(uploadTokenMatches(hash, [token, token])).toBe(false);
  });
});

describe('slug download URLs', () => {
  const expiresAt = NOW / 1000 + 3600;
  const url = downloadUrl('https://api.example.com', KEY, SLUG, expiresAt);

  it('are signed for one slug until a time', () => {
    expect(url.startsWith(`https://api.example.com/slug-downloads/${SLUG}?expires=`)).toBe(true);
    const { expires, signature } = query(url);
    expect(checkDownload(KEY, SLUG, expires, signature, NOW)).toBe('valid');
    expect(checkDownload(KEY, SLUG.toUpperCase(), expires, signature, NOW)).toBe('valid');
    expect(checkDownload(KEY, SLUG, expires, signature, expiresAt * 1000 - 1)).toBe('valid');
  });

  it('expire', () => {
    const { expires, signature } = query(url);
    expect(checkDownload(KEY, SLUG, expires, signature, expiresAt * 1000)).toBe('expired');
  });

  it('cannot be moved to another slug, extended or signed with another key', () => {
    const { expires, signature } = query(url);
    const other = '1b7e1e52-8c47-4d1a-9d5c-0e6f1d3c2a11';
    expect(checkDownload(KEY, other, expires, signature, NOW)).toBe('forged');
    expect(checkDownload(KEY, SLUG, String(expiresAt + 1), signature, NOW)).toBe('forged');
    const otherKey = downloadSigningKey(Buffer.alloc(32, 2));
    expect(checkDownload(otherKey, SLUG, expires, signature, NOW)).toBe('forged');
  });

  it('refuses what is not a signature at all', () => {
    const { expires, signature } = query(url);
    expect(checkDownload(KEY, SLUG, undefined, signature, NOW)).toBe('forged');
    expect(checkDownload(KEY, SLUG, expires, undefined, NOW)).toBe('forged');
    expect(checkDownload(KEY, SLUG, '-1', signature, NOW)).toBe('forged');
    expect(checkDownload(KEY, SLUG, expires, 'abc', NOW)).toBe('forged');
    expect(checkDownload(KEY, SLUG, expires, signature!.toUpperCase(), NOW)).toBe('forged');
    expect(checkDownload(KEY, SLUG, [expires, expires], signature, NOW)).toBe('forged');
  });
});
