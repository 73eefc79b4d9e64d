import { InvalidParamsError } from '../common/errors/api-errors.js';
import {
  DynoSize,
  DYNO_SIZES,
  findDynoSize,
  knownDynoSize,
} from '../dyno-sizes/dyno-size-catalogue.js';

/** Where an app runs decides which dyno sizes it may use. */
export interface AppPlacement {
  space: { name: string; shield: boolean } | null;
}

export const MAX_QUANTITY = 100;

/**
 * A requested quantity: a number, or the strings the Heroku CLI sends ("3", "+1", "-1").
 * Returns the new absolute quantity.
 */
export function resolveQuantity(type: string, requested: number | string, current: number): number {
  const text = String(requested).trim();
  if (!/^[+-]?\d{1,6}$/.test(text)) {
    throw new InvalidParamsError(
      `quantity for ${type} must be a whole number, or +N / -N to scale relatively; got "${requested}"`,
    );
  }
  // Only the CLI's strings scale relatively; a JSON number is always absolute.
  const relative = typeof requested === 'string' && (text.startsWith('+') || text.startsWith('-'));
  const quantity = relative ? current + Number(text) : Number(text);
  if (quantity < 0) {
    throw new InvalidParamsError(
      `Cannot scale ${type} to ${quantity}: quantity must be at least 0 (it is ${current}).`,
    );
  }
  return quantity;
}

/**
 * The size as stored: Heroku's canonical name. Private Spaces take private sizes (in a
 * Shield space, Shield-X is stored as Private-X, as Heroku does and the CLI expects);
 * the common runtime takes the others.
 */
export function resolveSize(requested: string, app: AppPlacement): DynoSize {
  const found = findDynoSize(requested);
  if (!found) {
    throw new InvalidParamsError(
      `Unknown dyno size "${requested}". Sizes: ${allowedSizes(app).join(', ')}.`,
    );
  }
  if (!app.space) {
    if (found.kind !== 'common') {
      throw new InvalidParamsError(
        `${found.name} dynos run only in a Private Space. Sizes for this app: ${allowedSizes(app).join(', ')}.`,
      );
    }
    return found;
  }
  if (found.kind === 'common') {
    throw new InvalidParamsError(
      `Apps in the Private Space ${app.space.name} need private dyno sizes: ${allowedSizes(app).join(', ')}.`,
    );
  }
  if (found.kind === 'shield') {
    if (!app.space.shield) {
      throw new InvalidParamsError(
        `${found.name} dynos run only in a Shield Private Space; ${app.space.name} is not one.`,
      );
    }
    return knownDynoSize(found.name.replace(/^Shield-/, 'Private-'));
  }
  return found;
}

export function checkQuantityLimit(type: string, quantity: number, size: DynoSize): void {
  const limit = Math.min(size.maxQuantity, MAX_QUANTITY);
  if (quantity > limit) {
    throw new InvalidParamsError(
      `Cannot scale ${type} to ${quantity} ${size.name} dynos: the limit is ${limit}.`,
    );
  }
}

export function defaultSize(app: AppPlacement): DynoSize {
  return knownDynoSize(app.space ? 'Private-S' : 'Standard-1X');
}

/** The sizes an app may use where it runs. */
export function sizesFor(app: AppPlacement): DynoSize[] {
  const kinds = app.space ? (app.space.shield ? ['private', 'shield'] : ['private']) : ['common'];
  return DYNO_SIZES.filter((s) => kinds.includes(s.kind));
}

function allowedSizes(app: AppPlacement): string[] {
  return sizesFor(app).map((s) => s.name);
}

/**
 * In a Private Space the routing proxy runs on the web dynos: with web at 0 visitors get
 * routing errors, not the maintenance page. Refuse that while maintenance is on, unless
 * the caller says they accept it.
 */
export function checkPrivateSpaceWebGuard(
  app: AppPlacement & { name: string; maintenance: boolean },
  type: string,
  quantity: number,
  override: boolean,
): void {
  if (type !== 'web' || quantity !== 0 || !app.space || !app.maintenance || override) return;
  throw new InvalidParamsError(
    `Refusing to scale web to 0 for ${app.name}: it is in maintenance mode in the Private Space ${app.space.name}, ` +
      'where the routing proxy runs on the web dynos. With no web dynos, visitors would get errors instead of the ' +
      'maintenance page. Keep at least one web dyno, or send "override_private_space_guard": true to scale to 0 anyway.',
  );
}
