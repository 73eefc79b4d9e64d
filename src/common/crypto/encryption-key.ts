import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEncryptionKey } from '../../config/app-config.js';

/**
 * DRYDOCK_ENCRYPTION_KEY when set; otherwise a key generated on first start and kept in
 * DATA_DIR/encryption-key (0600). Replicas sharing a database must share the key.
 */
export async function resolveEncryptionKey(
  configured: Buffer | undefined,
  dataDir: string,
): Promise<{ key: Buffer; source: string }> {
  if (configured) return { key: configured, source: 'DRYDOCK_ENCRYPTION_KEY' };
  const file = path.join(dataDir, 'encryption-key');
  if (existsSync(file)) {
    const key = parseEncryptionKey((await readFile(file, 'utf8')).trim());
    if (!key) throw new Error(`${file} does not hold a 32-byte key`);
    return { key, source: file };
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key, source: `${file} (generated)` };
}
