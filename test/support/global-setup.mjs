import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
// Jest loads global setup outside its module transform, so this file is plain ESM and uses
// the compiled service (`npm test` builds first): the same launcher and migrator as production.
import { startEmbeddedPostgres } from '../../dist/database/embedded-postgres.js';
import { migrate } from '../../dist/database/migrator.js';

export const WORKER_DATABASE_PREFIX = 'drydock_test_';
const TEMPLATE_DATABASE = 'drydock_test_template';

/** The same server as `url`, another database on it. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url, statements) {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * One real PostgreSQL for the whole run: DATABASE_URL when given, otherwise an embedded
 * server in a temporary directory. Migrations are applied once to a template database by
 * the project's own migrator; each Jest worker gets a copy, so files in parallel workers
 * never see each other's rows.
 */
export default async function globalSetup(config) {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-test-'));
    // The embedded server may run as the unprivileged `postgres` user, which must reach its data.
    await chmod(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres(dataDir);
    serverUrl = embedded.url;
    globalThis.__drydockTestDatabase = { stop: embedded.stop, dataDir };
  }

  const workers = Math.max(1, config.maxWorkers);
  await adminQuery(serverUrl, [
    ...Array.from(
      { length: workers },
      (_, i) => `DROP DATABASE IF EXISTS ${WORKER_DATABASE_PREFIX}${i + 1}`,
    ),
    `DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`,
    `CREATE DATABASE ${TEMPLATE_DATABASE}`,
  ]);
  await migrate(withDatabase(serverUrl, TEMPLATE_DATABASE));
  await adminQuery(
    serverUrl,
    Array.from(
      { length: workers },
      (_, i) => `CREATE DATABASE ${WORKER_DATABASE_PREFIX}${i + 1} TEMPLATE ${TEMPLATE_DATABASE}`,
    ),
  );
  process.env.DRYDOCK_TEST_SERVER_URL = serverUrl;
}
