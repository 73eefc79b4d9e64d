import { Inject, Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../database/prisma.service.js';
import { ConfigVarRepository } from '../store/config-var.repository.js';
import {
  applyConfigVarsPatch,
  describeConfigChange,
  parseConfigVarsPatch,
  sortByKey,
} from './config-var-rules.js';

/** An app's config vars: sealed at rest, every change a release that restarts every dyno. */
@Injectable()
export class ConfigVarsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly configVars: ConfigVarRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(principal: Principal, idOrName: string): Promise<Record<string, string>> {
    const app = await this.access.find(principal, idOrName);
    return sortByKey(await this.configVars.current(this.prisma, app.id));
  }

  /**
   * Sets and removes config vars, with a new release that restarts every dyno, in one
   * change. A patch that changes nothing makes no release.
   */
  async update(
    principal: Principal,
    idOrName: string,
    body: unknown,
  ): Promise<Record<string, string>> {
    const patch = parseConfigVarsPatch(body, this.config.maintenancePageAllowList);
    return this.changes.apply(principal, idOrName, async (change) => {
      const current = await this.configVars.current(change.tx, change.app.id);
      const result = applyConfigVarsPatch(current, patch);
      if (!result.set.length && !result.removed.length) return result.next;
      await this.configVars.write(
        change.tx,
        change.app.id,
        Object.fromEntries(result.set.map((key) => [key, result.next[key]])),
        result.removed,
      );
      // Keys only: values are secrets and never enter the change log.
      await change.record('config.update', { set: result.set, removed: result.removed });
      await change.release({ description: describeConfigChange(result), configVars: result.next });
      return result.next;
    });
  }
}
