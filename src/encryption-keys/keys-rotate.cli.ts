import pg from 'pg';
import { loadConfig } from '../config/app-config.js';
import { StartupError } from '../common/errors/startup-error.js';
import { connectDatabase } from '../database/database-connection.js';
import { describeSealed, V1_VALUES } from './encryption-keys.repository.js';
import { openKeyring } from './key-registry.js';
import { rotateSecrets } from './secret-rotation.js';

/**
 * `npm run keys:rotate`: re-seals every stored secret with DRYDOCK_ENCRYPTION_KEY, reading
 * the old ones with DRYDOCK_ENCRYPTION_KEYS_PREVIOUS, while the API keeps serving. Exits 1
 * when something is still sealed with another key.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const database = await connectDatabase(config, () => undefined);
  const client = new pg.Client({ connectionString: database.url });
  try {
    console.log(`database: ${database.description}`);
    const { box, summary } = await openKeyring(database.url, config);
    console.log(summary);
    await client.connect();
    const { resealed, left, retired } = await rotateSecrets(client, box, { log: console.log });
    const done = Object.entries(resealed).map(([label, count]) => `${label}: ${count}`);
    console.log(
      `re-encrypted with key ${box.currentKeyId}: ${done.length ? done.join(', ') : 'nothing needed it'}`,
    );
    if (retired.length) {
      console.log(
        retired.length === 1
          ? `key ${retired[0]} seals nothing any more: remove it from DRYDOCK_ENCRYPTION_KEYS_PREVIOUS`
          : `keys ${retired.join(', ')} seal nothing any more: remove them from DRYDOCK_ENCRYPTION_KEYS_PREVIOUS`,
      );
    }
    if (left.size === 0) {
      console.log(`everything is sealed with key ${box.currentKeyId}`);
      return 0;
    }
    console.log(
      `still sealed with another key: ${[...left].map(([id, counts]) => `${id === V1_VALUES ? 'values from before key ids' : `key ${id}`} (${describeSealed(counts)})`).join('; ')}; ` +
        'a value this keyring cannot open needs its key in DRYDOCK_ENCRYPTION_KEYS_PREVIOUS; run the command again to finish values written meanwhile',
    );
    return 1;
  } finally {
    await client.end().catch(() => undefined);
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof StartupError
        ? error.message
        : `keys:rotate failed: ${(error as Error).stack}`,
    );
    process.exit(1);
  },
);
