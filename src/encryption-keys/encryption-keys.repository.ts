import type { QueryResult, QueryResultRow } from 'pg';

/** What these queries need from `pg`: a Client, a PoolClient, or a test's wrapper of one. */
export interface SqlClient {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}

/** Every column holding SecretBox output. Each table's primary key is a uuid `id`. */
export const SEALED_COLUMNS = [
  { table: 'config_vars', column: 'value', label: 'config vars' },
  { table: 'releases', column: 'config_vars', label: 'release config snapshots' },
  { table: 'dynos', column: 'env', label: 'one-off dyno envs' },
] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** Held while a replica checks and records its keyring, so replicas booting together agree. */
const KEY_REGISTRY_LOCK = 72_736_107;

/** Values naming no key: sealed before key ids existed (or not SecretBox output at all). */
export const V1_VALUES = 'v1';

export interface RecordedKey {
  id: string;
  checkValue: string;
  retiredAt: Date | null;
}

/** Sealed values not under `exceptKeyId`, counted by key id (V1_VALUES for those naming none). */
export type SealedCounts = Map<string, Map<string, number>>;

export async function lockKeyRegistry(db: SqlClient): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [KEY_REGISTRY_LOCK]);
}

export async function recordedKeys(db: SqlClient): Promise<RecordedKey[]> {
  const { rows } = await db.query<{ id: string; check_value: string; retired_at: Date | null }>(
    'SELECT id, check_value, retired_at FROM encryption_keys ORDER BY created_at',
  );
  return rows.map((row) => ({
    id: row.id,
    checkValue: row.check_value,
    retiredAt: row.retired_at,
  }));
}

/** Records a key as one that may seal data (again, when it had been retired). */
export async function recordKey(db: SqlClient, id: string, checkValue: string): Promise<void> {
  await db.query(
    `INSERT INTO encryption_keys (id, check_value) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET retired_at = NULL`,
    [id, checkValue],
  );
}

export async function retireKeys(db: SqlClient, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.query(
    'UPDATE encryption_keys SET retired_at = now() WHERE id = ANY($1) AND retired_at IS NULL',
    [ids],
  );
}

/**
 * A full scan of every sealed column: only for rare moments (a key went missing, the first
 * boot of a database from before key ids, the end of a rotation), never on a normal boot.
 */
export async function sealedByKey(db: SqlClient, exceptKeyId?: string): Promise<SealedCounts> {
  const counts: SealedCounts = new Map();
  for (const { table, column, label } of SEALED_COLUMNS) {
    const except = exceptKeyId ? `AND "${column}" NOT LIKE $1` : '';
    const { rows } = await db.query<{ key_id: string; count: number }>(
      `SELECT CASE WHEN "${column}" LIKE 'v2.%' THEN split_part("${column}", '.', 2) ELSE '${V1_VALUES}' END AS key_id,
              count(*)::int AS count
       FROM "${table}" WHERE "${column}" IS NOT NULL ${except} GROUP BY 1`,
      exceptKeyId ? [`v2.${exceptKeyId}.%`] : [],
    );
    for (const row of rows) {
      const byLabel = counts.get(row.key_id) ?? new Map<string, number>();
      byLabel.set(label, row.count);
      counts.set(row.key_id, byLabel);
    }
  }
  return counts;
}

/** Up to `limit` values naming no key from each sealed column, to see which key opens them. */
export async function sampleV1Values(db: SqlClient, limit: number): Promise<string[]> {
  const values: string[] = [];
  for (const { table, column } of SEALED_COLUMNS) {
    const { rows } = await db.query<{ sealed: string }>(
      `SELECT "${column}" AS sealed FROM "${table}"
       WHERE "${column}" IS NOT NULL AND "${column}" NOT LIKE 'v2.%' LIMIT $1`,
      [limit],
    );
    values.push(...rows.map((row) => row.sealed));
  }
  return values;
}

/** The next rows after `afterId`, in id order, whose value is not sealed with `keyId`. */
export async function rowsNotSealedWith(
  db: SqlClient,
  { table, column }: SealedColumn,
  keyId: string,
  afterId: string,
  limit: number,
): Promise<{ id: string; sealed: string }[]> {
  const { rows } = await db.query<{ id: string; sealed: string }>(
    `SELECT id, "${column}" AS sealed FROM "${table}"
     WHERE id > $1::uuid AND "${column}" IS NOT NULL AND "${column}" NOT LIKE $2
     ORDER BY id LIMIT $3`,
    [afterId, `v2.${keyId}.%`, limit],
  );
  return rows;
}

/**
 * Swaps each row's value for its re-sealed form in one short statement, only where the
 * value is still the one read (compare-and-set): a concurrent writer's newer value wins.
 * Returns how many rows were swapped.
 */
export async function swapSealedValues(
  db: SqlClient,
  { table, column }: SealedColumn,
  swaps: { id: string; from: string; to: string }[],
): Promise<number> {
  if (!swaps.length) return 0;
  const { rowCount } = await db.query(
    `UPDATE "${table}" AS t SET "${column}" = s.next
     FROM unnest($1::uuid[], $2::text[], $3::text[]) AS s(id, prev, next)
     WHERE t.id = s.id AND t."${column}" = s.prev`,
    [swaps.map((s) => s.id), swaps.map((s) => s.from), swaps.map((s) => s.to)],
  );
  return rowCount ?? 0;
}

/** Counts per column, summed over the given keys' counts. */
export function sumByColumn(counts: Iterable<Map<string, number>>): Map<string, number> {
  const total = new Map<string, number>();
  for (const byLabel of counts) {
    for (const [label, count] of byLabel) total.set(label, (total.get(label) ?? 0) + count);
  }
  return total;
}

/** "15 stored secrets (config vars: 12, release config snapshots: 3)". */
export function describeSealed(byLabel: Map<string, number>): string {
  const sum = [...byLabel.values()].reduce((a, b) => a + b, 0);
  const parts = [...byLabel].map(([label, count]) => `${label}: ${count}`);
  return `${sum} stored secret${sum === 1 ? '' : 's'} (${parts.join(', ')})`;
}
