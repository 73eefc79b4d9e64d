import { Injectable } from '@nestjs/common';
import { SecretBox } from '../common/crypto/secret-box.js';
import { PrismaTransaction } from '../database/prisma.service.js';

/** The config_vars table's queries; values are sealed on the way in and opened on the way out. */
@Injectable()
export class ConfigVarRepository {
  constructor(private readonly secrets: SecretBox) {}

  /** Every config var of an app, opened, sorted by key. */
  async current(db: PrismaTransaction, appId: string): Promise<Record<string, string>> {
    const rows = await db.configVar.findMany({ where: { appId }, orderBy: { key: 'asc' } });
    return Object.fromEntries(rows.map((row) => [row.key, this.secrets.decrypt(row.value)]));
  }

  /**
   * Sets `values` and removes `removed`: one statement for all removals and one for all
   * upserts, however many keys.
   */
  async write(
    tx: PrismaTransaction,
    appId: string,
    values: Record<string, string>,
    removed: string[],
  ): Promise<void> {
    if (removed.length) {
      await tx.$executeRaw`
        DELETE FROM config_vars WHERE app_id = ${appId}::uuid AND key = ANY(${removed}::text[])`;
    }
    const keys = Object.keys(values);
    if (keys.length) {
      const sealed = keys.map((key) => this.secrets.encrypt(values[key]));
      await tx.$executeRaw`
        INSERT INTO config_vars (app_id, key, value, updated_at)
        SELECT ${appId}::uuid, key, value, now()
        FROM unnest(${keys}::text[], ${sealed}::text[]) AS patch(key, value)
        ON CONFLICT (app_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`;
    }
  }
}
