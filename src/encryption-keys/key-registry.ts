import pg from 'pg';
import { resolveEncryptionKey } from './encryption-key.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import type { AppConfig } from '../config/app-config.js';
import { StartupError } from '../common/errors/startup-error.js';
import {
  describeSealed,
  lockKeyRegistry,
  recordedKeys,
  recordKey,
  retireKeys,
  sampleV1Values,
  SealedCounts,
  sealedByKey,
  SqlClient,
  sumByColumn,
  V1_VALUES,
} from './encryption-keys.repository.js';

/** What a check value seals: opening it proves a key with that id is the recorded key. */
const CHECK_TEXT = 'drydock encryption key check';
/** Values from before key ids, per column, that must open before a key is trusted with them. */
const V1_SAMPLE = 20;
/** Postgres: undefined_table. */
const UNDEFINED_TABLE = '42P01';

export interface KeyringStatus {
  currentKeyId: string;
  /** The ring's other keys; `inUse` when data may still be sealed with one (until keys:rotate). */
  previous: { id: string; inUse: boolean }[];
}

/**
 * Resolves this process's keyring (DRYDOCK_ENCRYPTION_KEY or DATA_DIR/encryption-key, plus
 * DRYDOCK_ENCRYPTION_KEYS_PREVIOUS) and checks it against the keys the database recorded:
 * a StartupError when data is sealed with a key the ring lacks, else the current key is
 * recorded (and, when generated just now, saved to its file).
 */
export async function openKeyring(
  databaseUrl: string,
  config: Pick<AppConfig, 'encryptionKey' | 'previousEncryptionKeys' | 'dataDir'>,
): Promise<{ key: Buffer; box: SecretBox; summary: string }> {
  const current = await resolveEncryptionKey(config.encryptionKey, config.dataDir);
  const box = new SecretBox([current.key, ...config.previousEncryptionKeys]);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const status = await registerKeyring(client, box, current.source, current.save);
    return { key: current.key, box, summary: describeKeyring(status, current.source) };
  } finally {
    await client.end();
  }
}

/**
 * The boot check, in one transaction under an advisory lock (replicas booting together
 * agree). A normal boot reads only the encryption_keys table; sealed data is scanned only
 * when a recorded key is missing from the ring or the database has never recorded one.
 * `currentSource` says where the ring's first key came from, for the refusal message.
 */
export async function registerKeyring(
  db: SqlClient,
  box: SecretBox,
  currentSource: string,
  beforeCommit?: () => Promise<void>,
): Promise<KeyringStatus> {
  await db.query('BEGIN');
  try {
    await lockKeyRegistry(db);
    const recorded = await recordedKeys(db);
    for (const key of recorded) {
      if (box.has(key.id) && box.opener(key.checkValue) !== key.id) {
        throw new StartupError(
          `encryption key ${key.id} (${key.id === box.currentKeyId ? currentSource : 'DRYDOCK_ENCRYPTION_KEYS_PREVIOUS'}) does not open the check value recorded for it in the encryption_keys table, which was altered; restore that table.`,
        );
      }
    }
    const missing = recorded.filter((key) => !key.retiredAt && !box.has(key.id));
    const keep = new Set([box.currentKeyId]);
    if (recorded.length === 0 || missing.length > 0) {
      const sealed = await sealedByKey(db);
      const lost = [...sealed.keys()].filter((id) => id !== V1_VALUES && !box.has(id));
      let v1Lost = false;
      if (sealed.has(V1_VALUES)) {
        for (const value of await sampleV1Values(db, V1_SAMPLE)) {
          const opener = box.opener(value);
          if (opener) keep.add(opener);
          else v1Lost = true;
        }
      }
      if (lost.length || v1Lost) {
        throw new StartupError(refusal(box, currentSource, sealed, lost));
      }
      for (const id of sealed.keys()) if (id !== V1_VALUES) keep.add(id);
      // Recorded, gone from the ring, and sealing nothing: nothing to refuse over.
      await retireKeys(
        db,
        missing.map((key) => key.id),
      );
    }
    for (const id of keep) await recordKey(db, id, box.sealWith(id, CHECK_TEXT));
    const inUse = new Set(
      (await recordedKeys(db)).filter((key) => !key.retiredAt).map((key) => key.id),
    );
    await beforeCommit?.();
    await db.query('COMMIT');
    return {
      currentKeyId: box.currentKeyId,
      previous: box.keyIds.slice(1).map((id) => ({ id, inUse: inUse.has(id) })),
    };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === UNDEFINED_TABLE) {
      throw new StartupError(
        'the database is not migrated (no encryption_keys table); run `npm run db:migrate` or start with MIGRATE_ON_BOOT=true.',
      );
    }
    throw error;
  }
}

/** One line for the boot log: which key seals new data, and what each previous key still does. */
export function describeKeyring(status: KeyringStatus, currentSource: string): string {
  const previous = status.previous.map(({ id, inUse }) =>
    inUse
      ? `${id} (may still seal data: run npm run keys:rotate)`
      : `${id} (seals nothing here: it can leave DRYDOCK_ENCRYPTION_KEYS_PREVIOUS)`,
  );
  return (
    `encryption key ${status.currentKeyId} (${currentSource})` +
    (previous.length ? `; previous keys ${previous.join(', ')}` : '')
  );
}

function refusal(
  box: SecretBox,
  currentSource: string,
  sealed: SealedCounts,
  lost: string[],
): string {
  const ring =
    `This replica's key is ${box.currentKeyId} (${currentSource})` +
    (box.keyIds.length > 1
      ? `, its previous keys ${box.keyIds.slice(1).join(', ')} (DRYDOCK_ENCRYPTION_KEYS_PREVIOUS)`
      : '');
  if (lost.length) {
    const keys = lost.length > 1 ? `keys ${lost.join(', ')}` : `key ${lost[0]}`;
    const counts = sumByColumn(lost.map((id) => sealed.get(id)!));
    return (
      `${describeSealed(counts)} ${isOne(counts) ? 'is' : 'are'} sealed with encryption ${keys}, which this replica does not have. ${ring}. ` +
      `Set DRYDOCK_ENCRYPTION_KEY to the key with id ${lost[0]}, or keep it in DRYDOCK_ENCRYPTION_KEYS_PREVIOUS until \`npm run keys:rotate\` has re-encrypted everything.`
    );
  }
  return (
    `${describeSealed(sealed.get(V1_VALUES)!)} from before encryption key ids were recorded ${isOne(sealed.get(V1_VALUES)!) ? 'does' : 'do'} not open with any key of this replica. ${ring}. ` +
    `Set DRYDOCK_ENCRYPTION_KEY to the key they were sealed with: the earlier DRYDOCK_ENCRYPTION_KEY, or the encryption-key file of the earlier DATA_DIR.`
  );
}

function isOne(counts: Map<string, number>): boolean {
  return [...counts.values()].reduce((a, b) => a + b, 0) === 1;
}
