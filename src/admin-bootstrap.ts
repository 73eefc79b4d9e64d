import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  AccountsService,
  DYNO_MANAGER_TOKEN,
  ROUTER_TOKEN,
  ServiceToken,
} from './accounts/accounts.service.js';
import { writeSecretFile } from './common/files/secret-file.js';
import type { AppConfig } from './config/app-config.js';

/**
 * Makes sure someone can log in and the router can read routing. A generated admin token
 * is written to DATA_DIR/admin-token (0600) and printed once to the terminal, never to the
 * JSON log; generated router and dyno manager tokens go to DATA_DIR/router-token and
 * DATA_DIR/dyno-manager-token (0600), where `npm run router` and `npm run dyno-manager`
 * find them.
 */
export async function bootstrapAdmin(
  app: INestApplication,
  config: AppConfig,
  logger: Logger,
): Promise<void> {
  const accounts = app.get(AccountsService);
  const admin = await accounts.ensureAdmin(config.adminToken);
  if (admin.outcome === 'configured') logger.info('admin token: DRYDOCK_ADMIN_TOKEN');
  if (admin.outcome === 'generated') {
    const file = await saveToken(config.dataDir, 'admin-token', admin.token);
    logger.info({ file }, 'generated the first admin token');
    process.stdout.write(
      `\n  drydock admin token (shown once, also saved to ${file}):\n\n    ${admin.token}\n\n` +
        `  export HEROKU_API_KEY=$(cat ${file})\n\n`,
    );
  }

  await ensureServiceToken(accounts, ROUTER_TOKEN, config.routerToken, config.dataDir, logger);
  await ensureServiceToken(
    accounts,
    DYNO_MANAGER_TOKEN,
    config.dynoManagerToken,
    config.dataDir,
    logger,
  );
}

/** A machine's token: configured, or saved in DATA_DIR where its process finds it. */
async function ensureServiceToken(
  accounts: AccountsService,
  service: ServiceToken,
  configured: string | undefined,
  dataDir: string,
  logger: Logger,
): Promise<void> {
  const file = path.join(dataDir, service.file);
  const saved =
    configured === undefined && existsSync(file)
      ? (await readFile(file, 'utf8')).trim()
      : undefined;
  const outcome = await accounts.ensureServiceToken(service, configured, saved);
  if (outcome.outcome === 'configured') logger.info(`${service.scope} token: ${service.variable}`);
  else if (outcome.outcome === 'existing')
    logger.info({ file }, `${service.scope} token: saved in DATA_DIR`);
  else {
    await writeSecretFile(file, outcome.token);
    logger.info(
      { file },
      `generated a ${service.scope} token (${service.description.toLowerCase()})`,
    );
  }
}

async function saveToken(dataDir: string, name: string, token: string): Promise<string> {
  const file = path.join(dataDir, name);
  await writeSecretFile(file, token);
  return file;
}
