import { createCipheriv, randomBytes } from 'node:crypto';
import { EncryptionKeyUnavailableError, SealedValueDamagedError } from '../errors/api-errors.js';
import { encryptionKeyId, SecretBox, sealedKeyId } from './secret-box.js';

/** A value as drydock sealed it before key ids: `v1.<iv>.<tag>.<data>`. */
function sealV1(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('SecretBox', () => {
  const a = randomBytes(32);
  const b = randomBytes(32);
  const box = new SecretBox([a]);

  it('round-trips any string, unicode included', () => {
    for (const value of ['', 'postgres://u:p@h/db', 'ünïcødé ✓', 'x'.repeat(40_000)]) {
      expect(box.decrypt(box.encrypt(value))).toBe(value);
    }
  });

  it('never stores the plain value and never repeats a ciphertext', () => {
    const sealed = box.encrypt('s3cret-value');
    expect(sealed).not.toContain('s3cret');
    expect(box.encrypt('s3cret-value')).not.toBe(sealed);
  });

  it('names its key by an id derived from it, never the key itself', () => {
    const id = encryptionKeyId(a);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(encryptionKeyId(Buffer.from(a))).toBe(id);
    expect(encryptionKeyId(b)).not.toBe(id);
    expect(a.toString('hex')).not.toContain(id);
    const sealed = box.encrypt('value');
    expect(sealed.startsWith(`v2.${id}.`)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(id);
    expect(box.currentKeyId).toBe(id);
  });

  it('writes with the first key and still reads what the previous keys sealed', () => {
    const rotated = new SecretBox([b, a]);
    const old = box.encrypt('old');
    const fresh = rotated.encrypt('new');
    expect(sealedKeyId(fresh)).toBe(encryptionKeyId(b));
    expect(rotated.decrypt(old)).toBe('old');
    expect(rotated.decrypt(fresh)).toBe('new');
    expect(rotated.isSealedWithCurrent(old)).toBe(false);
    const resealed = rotated.reseal(old);
    expect(sealedKeyId(resealed)).toBe(encryptionKeyId(b));
    expect(new SecretBox([b]).decrypt(resealed)).toBe('old');
    expect(rotated.reseal(fresh)).toBe(fresh);
  });

  it('reads values sealed before key ids with whichever key of the ring opens them', () => {
    const legacy = sealV1(a, 'from before');
    expect(box.decrypt(legacy)).toBe('from before');
    expect(new SecretBox([b, a]).decrypt(legacy)).toBe('from before');
    expect(new SecretBox([b, a]).opener(legacy)).toBe(encryptionKeyId(a));
    expect(sealedKeyId(legacy)).toBeNull();
  });

  it('says which key is missing, and tells a missing key from a damaged value', () => {
    const sealed = box.encrypt('value');
    const other = new SecretBox([b]);
    expect(() => other.decrypt(sealed)).toThrow(EncryptionKeyUnavailableError);
    expect(() => other.decrypt(sealed)).toThrow(`sealed with encryption key ${box.currentKeyId}`);
    expect(other.opener(sealed)).toBeUndefined();
    expect(() => other.decrypt(sealV1(a, 'x'))).toThrow(EncryptionKeyUnavailableError);

    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    parts[4] = flipped.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow(SealedValueDamagedError);
    expect(() => box.decrypt('plain text')).toThrow(SealedValueDamagedError);
  });

  it('answers the API errors with a status and an id, never a bare crash', () => {
    const missing = new EncryptionKeyUnavailableError('0123456789ab');
    expect([missing.status, missing.id]).toEqual([503, 'encryption_key_unavailable']);
    expect(missing.message).toContain('DRYDOCK_ENCRYPTION_KEYS_PREVIOUS');
    const damaged = new SealedValueDamagedError('0123456789ab');
    expect([damaged.status, damaged.id]).toEqual([500, 'sealed_value_damaged']);
  });
});
