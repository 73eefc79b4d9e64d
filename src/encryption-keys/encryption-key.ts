import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEncryptionKey } from '../config/app-config.js';
import { StartupError } from '../common/errors/startup-error.js';
import { writeSecretFile } from '../common/files/secret-file.js';

export interface ResolvedEncryptionKey {
  key: Buffer;
  /** Where the key came from, for logs and startup errors: an env var or a file path. */
  source: string;
  /** Set for a key generated just now: writes it to its file, once the database accepted it. */
  save?: () => Promise<void>;
}

/**
 * DRYDOCK_ENCRYPTION_KEY when set; otherwise the key kept in DATA_DIR/encryption-key (0600),
 * generated on first start. Replicas sharing a database must share the key.
 */
export async function resolveEncryptionKey(
  configured: Buffer | undefined,
  dataDir: string,
): Promise<ResolvedEncryptionKey> {
  if (configured) return { key: configured, source: 'DRYDOCK_ENCRYPTION_KEY' };
  const file = path.join(dataDir, 'encryption-key');
  if (existsSync(file)) {
    const key = parseEncryptionKey((await readFile(file, 'utf8')).trim());
    if (!key) throw new StartupError(`${file} does not hold a 32-byte encryption key`);
    return { key, source: file };
  }
  const key = randomBytes(32);
  return {
    key,
    source: `generated just now for ${file}: DRYDOCK_ENCRYPTION_KEY is unset and that file did not exist`,
    save: () => writeSecretFile(file, key.toString('hex')),
  };
}
