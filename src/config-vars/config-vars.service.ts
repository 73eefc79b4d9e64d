import { Inject, Injectable } from '@nestjs/common';
import { AppAccessService } from '../apps/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { DynosService } from '../dynos/dynos.service.js';
import { recordEvent } from '../events/event-log.js';
import { ReleasesService } from '../releases/releases.service.js';
import {
  applyConfigVarsPatch,
  describeConfigChange,
  parseConfigVarsPatch,
  sortByKey,
} from './config-var-rules.js';

@Injectable()
export class ConfigVarsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccessService,
    private readonly releases: ReleasesService,
    private readonly secrets: SecretBox,
    private readonly dynos: DynosService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(principal: Principal, idOrName: string): Promise<Record<string, string>> {
    const app = await this.access.find(principal, idOrName);
    return this.current(this.prisma, app.id);
  }

  /**
   * Sets and removes config vars in one transaction with a new release that restarts the
   * formation, under the app's lock. A patch that changes nothing makes no release. All
   * removals are one statement and all upserts another, however many keys the patch has.
   */
  async update(
    principal: Principal,
    idOrName: string,
    body: unknown,
  ): Promise<Record<string, string>> {
    const patch = parseConfigVarsPatch(body, this.config.maintenancePageAllowList);
    return this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const change = applyConfigVarsPatch(await this.current(tx, app.id), patch);
      if (!change.set.length && !change.removed.length) return change.next;

      if (change.removed.length) {
        await tx.$executeRaw`
          DELETE FROM config_vars WHERE app_id = ${app.id}::uuid AND key = ANY(${change.removed}::text[])`;
      }
      if (change.set.length) {
        const values = change.set.map((key) => this.secrets.encrypt(change.next[key]));
        await tx.$executeRaw`
          INSERT INTO config_vars (app_id, key, value, updated_at)
          SELECT ${app.id}::uuid, key, value, now()
          FROM unnest(${change.set}::text[], ${values}::text[]) AS patch(key, value)
          ON CONFLICT (app_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`;
      }
      // Keys only: values are secrets and never enter the change log.
      await recordEvent(tx, {
        action: 'config.update',
        appId: app.id,
        appName: app.name,
        actorId: principal.accountId,
        data: { set: change.set, removed: change.removed },
      });
      const release = await this.releases.create(tx, app, {
        description: describeConfigChange(change),
        actorId: principal.accountId,
        configVars: change.next,
      });
      await this.dynos.restartOnRelease(tx, app.id, release.id);
      return change.next;
    });
  }

  /** Every config var of an app, decrypted, sorted by key. */
  async current(tx: PrismaTransaction, appId: string): Promise<Record<string, string>> {
    const rows = await tx.configVar.findMany({ where: { appId } });
    return sortByKey(
      Object.fromEntries(rows.map((row) => [row.key, this.secrets.decrypt(row.value)])),
    );
  }
}
