import type { AppConfig } from '../config/app-config.js';
import { EmbeddedPostgresLog, startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseConnection {
  url: string;
  /** Where the data lives, for the one boot log line; never includes the password. */
  description: string;
  close(): Promise<void>;
}

/** DATABASE_URL when given, otherwise the embedded PostgreSQL under DATA_DIR. */
export async function connectDatabase(
  config: AppConfig,
  log: EmbeddedPostgresLog,
): Promise<DatabaseConnection> {
  if (config.databaseUrl) {
    return {
      url: config.databaseUrl,
      description: `PostgreSQL at ${redactUrl(config.databaseUrl)} (DATABASE_URL)`,
      close: async () => undefined,
    };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, { log });
  return {
    url: embedded.url,
    description: `embedded PostgreSQL at ${redactUrl(embedded.url)}, data in ${embedded.clusterDir}`,
    close: () => embedded.stop(),
  };
}

export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    url.search = '';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
