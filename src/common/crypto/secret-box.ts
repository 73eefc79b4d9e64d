import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { EncryptionKeyUnavailableError, SealedValueDamagedError } from '../errors/api-errors.js';

/** Values sealed before key ids existed: `v1.<iv>.<tag>.<data>`, all under one key. */
const V1 = 'v1';
/** `v2.<key id>.<iv>.<tag>.<data>`: says which key opens it without trying them all. */
const V2 = 'v2';

/**
 * A short public name for a key: the first 6 bytes of HMAC-SHA256(key, "drydock key id"),
 * in hex. It identifies the key in the database, in logs and in errors without revealing it.
 */
export function encryptionKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('drydock key id').digest().subarray(0, 6).toString('hex');
}

/**
 * AES-256-GCM for secrets at rest (config vars, release snapshots, one-off dyno env), with
 * a keyring: the first key seals everything new, the others (keys being rotated out) still
 * open what they sealed. Each value gets its own random 96-bit IV.
 */
export class SecretBox {
  readonly currentKeyId: string;
  /** Every key id of the ring, the current one first. */
  readonly keyIds: readonly string[];
  private readonly keys = new Map<string, Buffer>();
  private readonly currentPrefix: string;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    for (const key of keys) {
      if (key.length !== 32) throw new Error('SecretBox needs 32-byte keys');
      const id = encryptionKeyId(key);
      if (!this.keys.has(id)) this.keys.set(id, key);
    }
    this.keyIds = [...this.keys.keys()];
    this.currentKeyId = this.keyIds[0];
    this.currentPrefix = `${V2}.${this.currentKeyId}.`;
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  encrypt(plain: string): string {
    return this.sealWith(this.currentKeyId, plain);
  }

  /** Seals with a given key of the ring: for check values, which prove a key is the one recorded. */
  sealWith(keyId: string, plain: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`No key ${keyId} in the keyring`);
    return seal(key, keyId, plain);
  }

  /**
   * The plain value. Throws EncryptionKeyUnavailableError (503) when the ring lacks the
   * key that sealed it, SealedValueDamagedError (500) when its key is here but refuses it.
   */
  decrypt(sealed: string): string {
    const parts = sealed.split('.');
    if (parts[0] === V2 && parts.length === 5) {
      const key = this.keys.get(parts[1]);
      if (!key) throw new EncryptionKeyUnavailableError(parts[1]);
      const plain = open(key, parts[2], parts[3], parts[4]);
      if (plain === undefined) throw new SealedValueDamagedError(parts[1]);
      return plain;
    }
    if (parts[0] === V1 && parts.length === 4) {
      for (const key of this.keys.values()) {
        const plain = open(key, parts[1], parts[2], parts[3]);
        if (plain !== undefined) return plain;
      }
      throw new EncryptionKeyUnavailableError(null);
    }
    throw new SealedValueDamagedError(null);
  }

  /** The id of the ring's key that opens a value, or undefined when none does. */
  opener(sealed: string): string | undefined {
    const parts = sealed.split('.');
    if (parts[0] === V2 && parts.length === 5) {
      const key = this.keys.get(parts[1]);
      return key && open(key, parts[2], parts[3], parts[4]) !== undefined ? parts[1] : undefined;
    }
    if (parts[0] !== V1 || parts.length !== 4) return undefined;
    for (const [id, key] of this.keys) {
      if (open(key, parts[1], parts[2], parts[3]) !== undefined) return id;
    }
    return undefined;
  }

  isSealedWithCurrent(sealed: string): boolean {
    return sealed.startsWith(this.currentPrefix);
  }

  /** The same plain value sealed with the current key (unchanged when it already is). */
  reseal(sealed: string): string {
    return this.isSealedWithCurrent(sealed) ? sealed : this.encrypt(this.decrypt(sealed));
  }
}

/** The key id a stored value names; null for v1 values, which name none. */
export function sealedKeyId(sealed: string): string | null {
  return sealed.startsWith(`${V2}.`) ? sealed.split('.', 2)[1] : null;
}

function seal(key: Buffer, keyId: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [
    V2,
    keyId,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    data.toString('base64url'),
  ].join('.');
}

function open(key: Buffer, iv: string, tag: string, data: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
