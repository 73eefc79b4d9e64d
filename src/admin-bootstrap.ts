import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccountsService } from './accounts/accounts.service.js';
import { writeSecretFile } from './common/files/secret-file.js';
import type { AppConfig } from './config/app-config.js';

/**
 * Makes sure someone can log in and the router can read routing. A generated admin token
 * is written to DATA_DIR/admin-token (0600) and printed once to the terminal, never to the
 * JSON log; a generated router token goes to DATA_DIR/router-token (0600), where
 * `npm run router` finds it.
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

  const routerFile = path.join(config.dataDir, 'router-token');
  const saved =
    config.routerToken === undefined && existsSync(routerFile)
      ? (await readFile(routerFile, 'utf8')).trim()
      : undefined;
  const router = await accounts.ensureRouterToken(config.routerToken, saved);
  if (router.outcome === 'configured') logger.info('router token: DRYDOCK_ROUTER_TOKEN');
  else if (router.outcome === 'existing')
    logger.info({ file: routerFile }, 'router token: saved in DATA_DIR');
  else {
    const file = await saveToken(config.dataDir, 'router-token', router.token);
    logger.info({ file }, 'generated a routing token for the router');
  }
}

async function saveToken(dataDir: string, name: string, token: string): Promise<string> {
  const file = path.join(dataDir, name);
  await writeSecretFile(file, token);
  return file;
}
