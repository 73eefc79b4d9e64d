import { SecretBox } from '../common/crypto/secret-box.js';
import { UnreadableSecretError } from '../common/errors/api-errors.js';
import {
  recordedKeys,
  retireKeys,
  rowsNotSealedWith,
  SEALED_COLUMNS,
  SealedCounts,
  sealedByKey,
  SqlClient,
  sumByColumn,
  swapSealedValues,
  V1_VALUES,
} from './encryption-keys.repository.js';

const FIRST_ID = '00000000-0000-0000-0000-000000000000';
/** Rows read and swapped per statement: small, so no row stays locked for long. */
export const ROTATION_BATCH = 500;
/** Rows a concurrent writer changed between read and swap are retried in another pass. */
const MAX_PASSES = 5;

export interface RotationResult {
  /** Rows re-sealed with the current key, per sealed column. */
  resealed: Record<string, number>;
  /** What is still sealed with another key (values the ring cannot open, or written meanwhile). */
  left: SealedCounts;
  /** Keys that seal nothing any more, marked retired: they may leave the keyring now. */
  retired: string[];
}

/**
 * Re-seals every stored secret with the ring's current key, a batch at a time in id order.
 * Each batch is one short UPDATE that swaps a value only if it is still the one read, so
 * the API keeps serving and writing meanwhile and no update is lost; running it again
 * continues where it stopped. Keys that end up sealing nothing are marked retired.
 */
export async function rotateSecrets(
  db: SqlClient,
  box: SecretBox,
  options: { batchSize?: number; log?: (line: string) => void } = {},
): Promise<RotationResult> {
  const batchSize = options.batchSize ?? ROTATION_BATCH;
  const log = options.log ?? (() => undefined);
  const resealed: Record<string, number> = {};
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const toDo = sumByColumn((await sealedByKey(db, box.currentKeyId)).values());
    let raced = 0;
    for (const sealed of SEALED_COLUMNS) {
      const total = toDo.get(sealed.label) ?? 0;
      if (!total) continue;
      log(`${sealed.label}: ${total} sealed with another key`);
      let after = FIRST_ID;
      let done = 0;
      let unreadable = 0;
      for (let batch = 1; ; batch++) {
        const rows = await rowsNotSealedWith(db, sealed, box.currentKeyId, after, batchSize);
        if (!rows.length) {
          log(
            `${sealed.label}: ${done} of ${total} re-encrypted` +
              (unreadable ? `, ${unreadable} this keyring cannot open` : ''),
          );
          break;
        }
        after = rows[rows.length - 1].id;
        const swaps: { id: string; from: string; to: string }[] = [];
        for (const row of rows) {
          try {
            swaps.push({ id: row.id, from: row.sealed, to: box.reseal(row.sealed) });
          } catch (error) {
            if (!(error instanceof UnreadableSecretError)) throw error;
            unreadable++;
          }
        }
        const swapped = await swapSealedValues(db, sealed, swaps);
        raced += swaps.length - swapped;
        done += swapped;
        if (batch % 10 === 0) log(`${sealed.label}: ${done} of ${total} re-encrypted`);
      }
      resealed[sealed.label] = (resealed[sealed.label] ?? 0) + done;
    }
    if (raced === 0) break;
    log(`${raced} values changed while being re-encrypted; going over what is left again`);
  }

  const left = await sealedByKey(db, box.currentKeyId);
  // Values naming no key that are still here were unreadable: keep every key until resolved.
  const retired = left.has(V1_VALUES)
    ? []
    : (await recordedKeys(db))
        .filter((key) => !key.retiredAt && key.id !== box.currentKeyId && !left.has(key.id))
        .map((key) => key.id);
  await retireKeys(db, retired);
  return { resealed, left, retired };
}
