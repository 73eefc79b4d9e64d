import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChange, AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService } from '../database/prisma.service.js';
import { knownDynoSize } from '../dyno-sizes/dyno-size-catalogue.js';
import type { Formation } from '../generated/prisma/client.js';
import { DynoRepository } from '../store/dyno.repository.js';
import { FormationRepository } from '../store/formation.repository.js';
import { defaultSize, resolveSize } from '../dyno-sizes/dyno-size-rules.js';
import {
  checkPrivateSpaceWebGuard,
  checkQuantityLimit,
  resolveQuantity,
} from './formation-rules.js';
import {
  FormationBatchItemDto,
  FormationBatchUpdateDto,
  FormationResponseDto,
  FormationUpdateDto,
  toFormationResponse,
} from './formations.dto.js';
import { initialQuantity, parseProcessTypes, sameProcessTypes } from './process-types.js';

/** Scaling and resizing process types, and the app's Procfile (its process types). */
@Injectable()
export class FormationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly formations: FormationRepository,
    private readonly dynos: DynoRepository,
  ) {}

  async list(principal: Principal, idOrName: string): Promise<FormationResponseDto[]> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.formations.list(this.prisma, app.id);
    return rows.map((row) => toFormationResponse(row, app));
  }

  async info(
    principal: Principal,
    idOrName: string,
    idOrType: string,
  ): Promise<FormationResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.formations.list(this.prisma, app.id);
    return toFormationResponse(findFormation(rows, idOrType, app.name), app);
  }

  async update(
    principal: Principal,
    idOrName: string,
    idOrType: string,
    input: FormationUpdateDto,
  ): Promise<FormationResponseDto> {
    const { override_private_space_guard: override, ...change } = input;
    const [updated] = await this.scale(
      principal,
      idOrName,
      [{ ...change, type: idOrType }],
      override ?? false,
    );
    return updated;
  }

  batchUpdate(
    principal: Principal,
    idOrName: string,
    input: FormationBatchUpdateDto,
  ): Promise<FormationResponseDto[]> {
    return this.scale(
      principal,
      idOrName,
      input.updates,
      input.override_private_space_guard ?? false,
    );
  }

  async processTypes(principal: Principal, idOrName: string): Promise<Record<string, string>> {
    const app = await this.access.find(principal, idOrName);
    return this.formations.processTypes(this.prisma, app.id);
  }

  /**
   * Replaces the app's Procfile: new types appear (web with one dyno), removed ones lose
   * their dynos. A real change makes a release, which restarts every dyno on it.
   */
  async replaceProcessTypes(
    principal: Principal,
    idOrName: string,
    body: unknown,
  ): Promise<Record<string, string>> {
    const processTypes = parseProcessTypes(body);
    return this.changes.apply(principal, idOrName, async (change) => {
      const current = await this.formations.processTypes(change.tx, change.app.id);
      if (!sameProcessTypes(current, processTypes)) {
        await this.declare(change, processTypes);
        const types = Object.keys(processTypes).sort();
        await change.release({
          description: types.length
            ? `Deploy process types ${types.join(', ')}`
            : 'Remove all process types',
        });
      }
      return Object.fromEntries(
        Object.entries(processTypes).sort(([a], [b]) => a.localeCompare(b)),
      );
    });
  }

  /**
   * Makes the formation match a Procfile as part of `change`: new types get their initial
   * quantity, removed ones lose their dynos. The release, when the change cuts one,
   * restarts the rest.
   */
  async declare(change: AppChange, processTypes: Record<string, string>): Promise<void> {
    const { tx, app } = change;
    const current = await this.formations.list(tx, app.id);
    const releaseId = await this.changes.latestReleaseId(change);
    for (const row of current.filter((row) => !(row.type in processTypes))) {
      await this.dynos.reconcile(tx, app.id, { ...row, quantity: 0 }, releaseId);
      await this.formations.remove(tx, row.id);
    }
    for (const [type, command] of Object.entries(processTypes)) {
      const existing = current.find((row) => row.type === type);
      const row = existing
        ? await this.formations.setCommand(tx, existing.id, command)
        : await this.formations.add(tx, {
            appId: app.id,
            type,
            command,
            quantity: initialQuantity(type),
            size: defaultSize(app).name,
          });
      await this.dynos.reconcile(tx, app.id, row, releaseId);
    }
    await change.record('formation.declare', { process_types: Object.keys(processTypes).sort() });
  }

  /**
   * Scales and resizes process types, all or nothing: every update is checked before any
   * is written. Scaling makes no release, as on Heroku.
   */
  private scale(
    principal: Principal,
    idOrName: string,
    updates: FormationBatchItemDto[],
    override: boolean,
  ): Promise<FormationResponseDto[]> {
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const rows = await this.formations.list(tx, app.id);
      const planned = new Map<string, { row: Formation; quantity: number; size: string }>();
      for (const update of updates) {
        const row = findFormation(rows, update.type, app.name);
        if (planned.has(row.type))
          throw new InvalidParamsError(
            `The process type ${row.type} appears twice in the updates.`,
          );
        const quantity =
          update.quantity === undefined
            ? row.quantity
            : resolveQuantity(row.type, update.quantity, row.quantity);
        const requestedSize = update.size ?? update.dyno_size?.name ?? update.dyno_size?.id;
        const size = requestedSize ? resolveSize(requestedSize, app) : knownDynoSize(row.size);
        checkQuantityLimit(row.type, quantity, size);
        checkPrivateSpaceWebGuard(app, row.type, quantity, override);
        planned.set(row.type, { row, quantity, size: size.name });
      }

      const rowsNow = await this.write(change, [...planned.values()]);
      return rowsNow.map((row) => toFormationResponse(row, app));
    });
  }

  /**
   * Scales process types to the given quantities as part of `change` (maintenance's
   * scale-down and restore); types the app no longer has are skipped. Returns the rows it
   * was given, as they now are.
   */
  async scaleWithin(
    change: AppChange,
    quantities: { type: string; quantity: number }[],
  ): Promise<Formation[]> {
    if (!quantities.length) return [];
    const rows = await this.formations.list(change.tx, change.app.id);
    return this.write(
      change,
      quantities.flatMap(({ type, quantity }) => {
        const row = rows.find((candidate) => candidate.type === type);
        return row ? [{ row, quantity, size: row.size }] : [];
      }),
    );
  }

  /** Writes checked quantities and sizes, with their dynos and a formation.update each. */
  private async write(
    change: AppChange,
    planned: { row: Formation; quantity: number; size: string }[],
  ): Promise<Formation[]> {
    const { tx, app } = change;
    const releaseId = await this.changes.latestReleaseId(change);
    const result: Formation[] = [];
    for (const { row, quantity, size } of planned) {
      if (quantity === row.quantity && size === row.size) {
        result.push(row);
        continue;
      }
      const updated = await this.formations.scale(tx, row.id, { quantity, size });
      await this.dynos.reconcile(tx, app.id, updated, releaseId);
      await change.record('formation.update', {
        type: row.type,
        quantity: { from: row.quantity, to: quantity },
        size: { from: row.size, to: size },
      });
      result.push(updated);
    }
    return result;
  }
}

function findFormation(rows: Formation[], idOrType: string, appName: string): Formation {
  const row = rows.find(
    (candidate) =>
      candidate.type === idOrType || (isUuid(idOrType) && candidate.id === idOrType.toLowerCase()),
  );
  if (!row) {
    const types =
      rows.map((r) => r.type).join(', ') || 'none; declare them with PUT /apps/{app}/process-types';
    throw new NotFoundError(
      `Couldn't find that formation: ${appName} has no ${idOrType} process type (types: ${types}).`,
    );
  }
  return row;
}
