import { readFile } from 'node:fs/promises';
import internals from '@prisma/internals';
import pg from 'pg';
import { testDatabaseUrl } from '../support/test-app.js';

interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, string> = {
  Uuid: 'uuid',
  Timestamptz: 'timestamp with time zone',
};
const ON_DELETE: Record<string, string> = {
  Cascade: 'c',
  Restrict: 'r',
  SetNull: 'n',
  NoAction: 'a',
};

/**
 * The migrations in prisma/migrations are written by hand; this test is what keeps them
 * honest. It migrates a database with the project's migrator (global setup) and compares
 * it with what schema.prisma says, as `prisma migrate diff` would.
 */
describe('migrations agree with prisma/schema.prisma', () => {
  let client: pg.Client;
  let expected: { columns: Column[]; uniques: string[]; foreignKeys: string[] };

  beforeAll(async () => {
    client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    const dmmf = await internals.getDMMF({
      datamodel: await readFile('prisma/schema.prisma', 'utf8'),
    });
    expected = { columns: [], uniques: [], foreignKeys: [] };
    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const columnOf = (field: string) => {
        const found = model.fields.find((f) => f.name === field);
        return found?.dbName ?? field;
      };
      for (const field of model.fields) {
        if (field.kind === 'object') {
          if (field.relationFromFields?.length) {
            const onDelete =
              ON_DELETE[
                String(field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull'))
              ];
            expected.foreignKeys.push(
              `${table}(${field.relationFromFields.map(columnOf).join(',')}) on delete ${onDelete}`,
            );
          }
          continue;
        }
        const native = field.nativeType?.[0];
        const base = (native && NATIVE_TYPES[native]) || SCALAR_TYPES[field.type];
        expected.columns.push({
          table,
          column: field.dbName ?? field.name,
          type: field.isList ? `${base}[]` : base,
          // Prisma creates scalar lists as nullable arrays; the client never writes NULL.
          nullable: field.isList ? true : !field.isRequired,
        });
        if (field.isUnique) expected.uniques.push(`${table}(${columnOf(field.name)})`);
      }
      for (const unique of model.uniqueIndexes) {
        expected.uniques.push(`${table}(${unique.fields.map(columnOf).join(',')})`);
      }
    }
  });

  afterAll(() => client.end());

  it('has exactly the tables and columns of the schema, with the same types and nullability', async () => {
    const { rows } = await client.query<{
      table: string;
      column: string;
      type: string;
      element: string | null;
      nullable: string;
    }>(`
      SELECT c.table_name AS table, c.column_name AS column, c.data_type AS type, e.data_type AS element, c.is_nullable AS nullable
      FROM information_schema.columns c
      LEFT JOIN information_schema.element_types e
        ON e.object_schema = c.table_schema AND e.object_name = c.table_name AND e.collection_type_identifier = c.dtd_identifier
      WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`);
    const actual: Column[] = rows.map((row) => ({
      table: row.table,
      column: row.column,
      type: row.type === 'ARRAY' ? `${row.element}[]` : row.type,
      nullable: row.nullable === 'YES',
    }));
    const sort = (columns: Column[]) =>
      [...columns].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
    expect(sort(actual)).toEqual(sort(expected.columns));
  });

  it('has exactly the unique indexes of the schema', async () => {
    const { rows } = await client.query<{ definition: string }>(`
      SELECT t.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ordinality) || ')' AS definition
      FROM pg_index i
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND i.indisunique AND NOT i.indisprimary AND t.relname <> '_prisma_migrations'
      GROUP BY i.indexrelid, t.relname`);
    expect(rows.map((row) => row.definition).sort()).toEqual([...expected.uniques].sort());
  });

  it('has the foreign keys of the schema with their delete behaviour', async () => {
    const { rows } = await client.query<{ definition: string }>(`
      SELECT t.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ordinality) || ') on delete ' || c.confdeltype::text AS definition
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ordinality)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'
      GROUP BY c.oid, t.relname, c.confdeltype`);
    expect(rows.map((row) => row.definition).sort()).toEqual([...expected.foreignKeys].sort());
  });

  it("records every migration in _prisma_migrations with Prisma's sha256 checksum", async () => {
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const { loadMigrations } = await import('../../src/database/migrator.js');
    const onDisk = await loadMigrations();
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(
      onDisk.map((m) => [m.name, m.checksum]),
    );
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });
});
