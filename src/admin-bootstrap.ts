import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccountsService } from './accounts/accounts.service.js';
import type { AppConfig } from './config/app-config.js';

/**
 * Makes sure someone can log in. A generated admin token is written to
 * DATA_DIR/admin-token (0600) and printed once to the terminal, never to the JSON log.
 */
export async function bootstrapAdmin(
  app: INestApplication,
  config: AppConfig,
  logger: Logger,
): Promise<void> {
  const result = await app.get(AccountsService).ensureAdmin(config.adminToken);
  if (result.outcome === 'configured') {
    logger.info('admin token: DRYDOCK_ADMIN_TOKEN');
    return;
  }
  if (result.outcome === 'existing') return;

  const file = path.join(config.dataDir, 'admin-token');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${result.token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  logger.info({ file }, 'generated the first admin token');
  process.stdout.write(
    `\n  drydock admin token (shown once, also saved to ${file}):\n\n    ${result.token}\n\n` +
      `  export HEROKU_API_KEY=$(cat ${file})\n\n`,
  );
}
