import { InvalidParamsError } from '../common/errors/api-errors.js';
import { DynoSize, DYNO_SIZES, findDynoSize, knownDynoSize } from './dyno-size-catalogue.js';

/** Where an app runs decides which dyno sizes it may use. */
export interface AppPlacement {
  space: { name: string; shield: boolean } | null;
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
