import './runtime/tick-object-maps.js';
import './runtime/v8-flags.js';
import 'reflect-metadata';
import { bootstrapAdmin } from './admin-bootstrap.js';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { StartupError } from './common/errors/startup-error.js';
import { createLogger } from './common/logging/logger.js';
import { connectDatabase } from './database/database-connection.js';
import { migrate } from './database/migrator.js';
import { openKeyring } from './encryption-keys/key-registry.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, config.logFormat);

  const database = await connectDatabase(config, (level, message) =>
    logger[level]({ component: 'postgres' }, message),
  );
  logger.info(`database: ${database.description}`);
  try {
    if (config.migrateOnBoot) {
      const { applied } = await migrate(database.url);
      logger.info(
        { applied },
        applied.length ? `applied ${applied.length} migration(s)` : 'database schema is up to date',
      );
    }
    const { key, summary } = await openKeyring(database.url, config);
    logger.info(summary);
    const app = await createApp({
      config: { ...config, encryptionKey: key },
      databaseUrl: database.url,
      logger,
    });
    await bootstrapAdmin(app, config, logger);
    await app.listen({ port: config.port, host: config.host });
    logger.info(`drydock listening on http://${config.host}:${config.port} (Swagger UI at /docs)`);

    let stopping = false;
    const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      await app.close();
      await database.close();
      logger.info('stopped');
      process.exit(0);
    };
    process.on('SIGINT', (signal) => void shutdown(signal));
    process.on('SIGTERM', (signal) => void shutdown(signal));
  } catch (error) {
    await database.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof StartupError
        ? `drydock cannot start: ${error.message}`
        : `drydock failed to start: ${(error as Error).stack ?? error}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
