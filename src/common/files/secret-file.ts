import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a secret (a token, a key, a password) on a line of its own to a file only its
 * owner may read, creating the directory first. chmod as well: writeFile's mode applies
 * only to a file it creates.
 */
export async function writeSecretFile(file: string, secret: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
