import { Injectable } from '@nestjs/common';
import { AppAccessService, AppWithRelations } from '../apps/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { ConfigVarsService } from '../config-vars/config-vars.service.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { knownDynoSize } from '../dyno-sizes/dyno-size-catalogue.js';
import { DynosService } from '../dynos/dynos.service.js';
import { recordEvent } from '../events/event-log.js';
import type { Formation } from '../generated/prisma/client.js';
import { ReleasesService } from '../releases/releases.service.js';
import {
  checkPrivateSpaceWebGuard,
  checkQuantityLimit,
  defaultSize,
  resolveQuantity,
  resolveSize,
} from './formation-rules.js';
import {
  FormationBatchItemDto,
  FormationBatchUpdateDto,
  FormationResponseDto,
  FormationUpdateDto,
  toFormationResponse,
} from './formations.dto.js';
import { initialQuantity, parseProcessTypes } from './process-types.js';

@Injectable()
export class FormationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccessService,
    private readonly dynos: DynosService,
    private readonly releases: ReleasesService,
    private readonly configVars: ConfigVarsService,
  ) {}

  async list(principal: Principal, idOrName: string): Promise<FormationResponseDto[]> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.prisma.formation.findMany({
      where: { appId: app.id },
      orderBy: { type: 'asc' },
    });
    return rows.map((row) => toFormationResponse(row, app));
  }

  async info(
    principal: Principal,
    idOrName: string,
    idOrType: string,
  ): Promise<FormationResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.prisma.formation.findMany({ where: { appId: app.id } });
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
    const rows = await this.prisma.formation.findMany({
      where: { appId: app.id },
      orderBy: { type: 'asc' },
    });
    return Object.fromEntries(rows.map((row) => [row.type, row.command]));
  }

  /**
   * Replaces the app's Procfile: new types appear (web with one dyno), removed ones lose
   * their dynos. A real change makes a release, which restarts the formation.
   */
  async replaceProcessTypes(
    principal: Principal,
    idOrName: string,
    body: unknown,
  ): Promise<Record<string, string>> {
    const processTypes = parseProcessTypes(body);
    return this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const current = await tx.formation.findMany({ where: { appId: app.id } });
      const unchanged =
        current.length === Object.keys(processTypes).length &&
        current.every((row) => processTypes[row.type] === row.command);
      if (!unchanged) {
        const types = Object.keys(processTypes).sort();
        await this.releases.create(tx, app, {
          description: types.length
            ? `Deploy process types ${types.join(', ')}`
            : 'Remove all process types',
          actorId: principal.accountId,
          configVars: await this.configVars.current(tx, app.id),
        });
        await this.declare(tx, app, processTypes, principal.accountId);
      }
      return Object.fromEntries(
        Object.entries(processTypes).sort(([a], [b]) => a.localeCompare(b)),
      );
    });
  }

  /** Makes the formation match a Procfile, inside the caller's transaction and app lock. */
  async declare(
    tx: PrismaTransaction,
    app: AppWithRelations,
    processTypes: Record<string, string>,
    actorId: string,
  ): Promise<void> {
    const current = await tx.formation.findMany({ where: { appId: app.id } });
    const releaseId = await this.releases.latestId(tx, app.id);
    for (const row of current.filter((row) => !(row.type in processTypes))) {
      await this.dynos.reconcile(tx, app.id, { ...row, quantity: 0 }, releaseId);
      await tx.formation.delete({ where: { id: row.id } });
    }
    for (const [type, command] of Object.entries(processTypes)) {
      const existing = current.find((row) => row.type === type);
      const row = existing
        ? await tx.formation.update({ where: { id: existing.id }, data: { command } })
        : await tx.formation.create({
            data: {
              appId: app.id,
              type,
              command,
              quantity: initialQuantity(type),
              size: defaultSize(app).name,
            },
          });
      await this.dynos.reconcile(tx, app.id, row, releaseId);
    }
    await recordEvent(tx, {
      action: 'formation.declare',
      appId: app.id,
      appName: app.name,
      actorId,
      data: { process_types: Object.keys(processTypes).sort() },
    });
  }

  /**
   * Scales and resizes process types, all or nothing: every update is checked before any
   * is written, inside one transaction holding the app's lock.
   */
  private scale(
    principal: Principal,
    idOrName: string,
    updates: FormationBatchItemDto[],
    override: boolean,
  ): Promise<FormationResponseDto[]> {
    return this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const rows = await tx.formation.findMany({ where: { appId: app.id } });
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

      const releaseId = await this.releases.latestId(tx, app.id);
      const result: FormationResponseDto[] = [];
      for (const { row, quantity, size } of planned.values()) {
        if (quantity === row.quantity && size === row.size) {
          result.push(toFormationResponse(row, app));
          continue;
        }
        const updated = await tx.formation.update({
          where: { id: row.id },
          data: { quantity, size },
        });
        await this.dynos.reconcile(tx, app.id, updated, releaseId);
        await recordEvent(tx, {
          action: 'formation.update',
          appId: app.id,
          appName: app.name,
          actorId: principal.accountId,
          data: {
            type: row.type,
            quantity: { from: row.quantity, to: quantity },
            size: { from: row.size, to: size },
          },
        });
        result.push(toFormationResponse(updated, app));
      }
      return result;
    });
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
