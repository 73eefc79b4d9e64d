import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { DEFAULT_REGION } from '../common/heroku/catalogue.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import { PrismaService } from '../database/prisma.service.js';
import { isForeignKeyViolation, isUniqueViolation } from '../database/prisma-errors.js';
import { recordEvent } from '../events/event-log.js';
import { SpaceRepository, SpaceWithOwner } from '../store/space.repository.js';
import {
  SpaceCreateDto,
  SpaceExpansion,
  SpaceNatResponseDto,
  SpaceResponseDto,
  toSpaceNatResponse,
  toSpaceResponse,
} from './spaces.dto.js';

export const SPACE_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'id', column: 'id', type: 'uuid' },
  { name: 'name', column: 'name', type: 'string' },
];

/** Private Spaces: created and destroyed here, each change recorded with its event. */
@Injectable()
export class SpacesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly spaces: SpaceRepository,
  ) {}

  async create(principal: Principal, input: SpaceCreateDto): Promise<SpaceResponseDto> {
    try {
      const space = await this.prisma.$transaction(async (tx) => {
        const created = await this.spaces.create(tx, {
          name: input.name,
          ownerId: principal.accountId,
          region: input.region ?? DEFAULT_REGION,
          shield: input.shield ?? false,
        });
        await recordEvent(tx, {
          action: 'space.create',
          actorId: principal.accountId,
          data: { name: created.name, shield: created.shield },
        });
        return created;
      });
      return toSpaceResponse(space);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new InvalidParamsError(`Name ${input.name} is already taken`);
      }
      throw error;
    }
  }

  async list(principal: Principal, range: ListRange): Promise<Page<SpaceResponseDto>> {
    const rows = await this.spaces.page(principal.isAdmin ? undefined : principal.accountId, range);
    return toPage(rows, range, (space) => toSpaceResponse(space));
  }

  async info(
    principal: Principal,
    idOrName: string,
    expand?: SpaceExpansion,
  ): Promise<SpaceResponseDto> {
    return toSpaceResponse(await this.findAccessible(principal, idOrName), expand);
  }

  async nat(principal: Principal, idOrName: string): Promise<SpaceNatResponseDto> {
    return toSpaceNatResponse(await this.findAccessible(principal, idOrName));
  }

  async destroy(principal: Principal, idOrName: string): Promise<SpaceResponseDto> {
    const space = await this.findAccessible(principal, idOrName);
    try {
      await this.prisma.$transaction(async (tx) => {
        await this.spaces.remove(tx, space.id);
        await recordEvent(tx, {
          action: 'space.destroy',
          actorId: principal.accountId,
          data: { name: space.name },
        });
      });
    } catch (error) {
      // The apps foreign key is ON DELETE RESTRICT: a space with apps stays.
      if (isForeignKeyViolation(error)) {
        throw new InvalidParamsError(
          `Space ${space.name} still has apps; delete or move them first.`,
        );
      }
      throw error;
    }
    return toSpaceResponse(space);
  }

  /** The space, if the principal may use it: 404 when it does not exist, 403 when it is someone else's. */
  async findAccessible(principal: Principal, idOrName: string): Promise<SpaceWithOwner> {
    const space = await this.spaces.find(idOrName);
    if (!space) throw new NotFoundError("Couldn't find that space.");
    if (!principal.isAdmin && space.ownerId !== principal.accountId) {
      throw new ForbiddenError(`You do not have access to the space ${space.name}.`);
    }
    return space;
  }
}
