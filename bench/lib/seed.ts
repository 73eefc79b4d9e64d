import { withClient } from './postgres.js';
import { distModule } from './settings.js';

export interface SeedOptions {
  names: string[];
  /** Names of the apps to put in maintenance (default none). */
  inMaintenance?: ReadonlySet<string>;
  /**
   * `up`: each app's web.1 is up at a made-up address (10.x.y.z:5000), as the dyno manager
   * would have reported; `starting`: web.1 exists without an address.
   */
  dynos: 'up' | 'starting';
  encryptionKey: string;
}

/** The account that owns every seeded app. */
export const SEED_OWNER_EMAIL = 'bench-owner@drydock.local';

/** `prefix` + a zero-padded counter: app-00001 ... */
export function appNames(prefix: string, count: number): string[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}

/**
 * Inserts apps the way `POST /apps {"process_types":{"web":...}}` leaves them: the app,
 * release v1 (with its encrypted, empty config), the web formation at quantity 1 and its
 * dyno web.1. Straight SQL in one statement, so 100,000 apps take seconds; an API started
 * afterwards loads them into its routing view at boot.
 */
export async function seedApps(databaseUrl: string, options: SeedOptions): Promise<void> {
  const { SecretBox } = await distModule<{
    SecretBox: new (keys: Buffer[]) => { encrypt(plain: string): string };
  }>('common/crypto/secret-box.js');
  const emptyConfig = new SecretBox([Buffer.from(options.encryptionKey, 'hex')]).encrypt('{}');
  const maintenance = options.names.map((name) => options.inMaintenance?.has(name) ?? false);
  await withClient(databaseUrl, async (client) => {
    await client.query(
      `WITH owner AS (
         INSERT INTO accounts (email, name, updated_at) VALUES ($5, 'Benchmark owner', now())
         ON CONFLICT (email) DO UPDATE SET updated_at = excluded.updated_at
         RETURNING id
       ), input AS (
         SELECT t.name, t.maintenance, t.n
         FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS t(name, maintenance, n)
       ), new_apps AS (
         INSERT INTO apps (name, owner_id, maintenance, updated_at)
         SELECT input.name, owner.id, input.maintenance, now()
         FROM input CROSS JOIN owner ORDER BY input.n
         RETURNING id, owner_id
       ), new_releases AS (
         INSERT INTO releases (app_id, version, description, user_id, config_vars, updated_at)
         SELECT id, 1, 'Initial release', owner_id, $3, now() FROM new_apps
         RETURNING id, app_id
       ), new_formations AS (
         INSERT INTO formations (app_id, type, command, quantity, size, updated_at)
         SELECT id, 'web', 'npm start', 1, 'Standard-1X', now() FROM new_apps
       ), numbered AS (
         SELECT id, app_id, row_number() OVER () AS n FROM new_releases
       )
       INSERT INTO dynos (app_id, name, type, command, size, state, address, release_id, updated_at)
       SELECT app_id, 'web.1', 'web', 'npm start', 'Standard-1X', $4,
              CASE WHEN $4 = 'up'
                   THEN '10.' || (n / 65536 % 256) || '.' || (n / 256 % 256) || '.' || (n % 256) || ':5000'
              END,
              id, now()
       FROM numbered`,
      [options.names, maintenance, emptyConfig, options.dynos, SEED_OWNER_EMAIL],
    );
    await client.query('ANALYZE');
  });
}
