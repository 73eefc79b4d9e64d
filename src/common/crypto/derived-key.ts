import { createHmac } from 'node:crypto';

/**
 * A key for one purpose (signing slug downloads, log sessions), derived from the
 * encryption key every replica shares: any replica checks what another one signed, and
 * nothing is stored per URL. A new encryption key invalidates what was signed before.
 */
export function derivedKey(encryptionKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', encryptionKey).update(purpose).digest();
}
