import { createHash } from 'node:crypto';
import { GENERATION } from '../common/heroku/catalogue.js';

export type DynoSizeKind = 'common' | 'private' | 'shield';

export interface DynoSize {
  id: string;
  name: string;
  kind: DynoSizeKind;
  compute: number;
  memory: number;
  dedicated: boolean;
  /** Most dynos of this size one process type may run. */
  maxQuantity: number;
  preciseDynoUnits: number;
}

/** Stable ids derived from the name (UUID v5 layout), the same on every installation. */
function sizeId(name: string): string {
  const hex = createHash('sha1').update(`drydock:dyno-size:${name}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const size = (
  name: string,
  kind: DynoSizeKind,
  compute: number,
  memory: number,
  dedicated: boolean,
  preciseDynoUnits: number,
  maxQuantity = 100,
): DynoSize => ({
  id: sizeId(name),
  name,
  kind,
  compute,
  memory,
  dedicated,
  maxQuantity,
  preciseDynoUnits,
});

/** Heroku's dyno sizes (devcenter "Dyno Types"). Eco and Basic run one dyno per process type. */
export const DYNO_SIZES: readonly DynoSize[] = [
  size('Eco', 'common', 1, 0.5, false, 0, 1),
  size('Basic', 'common', 1, 0.5, false, 0.28, 1),
  size('Standard-1X', 'common', 1, 0.5, false, 1),
  size('Standard-2X', 'common', 2, 1, false, 2),
  size('Performance-M', 'common', 2, 2.5, true, 8),
  size('Performance-L', 'common', 8, 14, true, 16),
  size('Performance-L-RAM', 'common', 4, 30, true, 24),
  size('Performance-XL', 'common', 8, 62, true, 50),
  size('Performance-2XL', 'common', 16, 126, true, 100),
  size('Private-S', 'private', 2, 1, true, 2),
  size('Private-M', 'private', 2, 2.5, true, 8),
  size('Private-L', 'private', 8, 14, true, 16),
  size('Private-L-RAM', 'private', 4, 30, true, 24),
  size('Private-XL', 'private', 8, 62, true, 50),
  size('Private-2XL', 'private', 16, 126, true, 100),
  size('Shield-S', 'shield', 2, 1, true, 2),
  size('Shield-M', 'shield', 2, 2.5, true, 8),
  size('Shield-L', 'shield', 8, 14, true, 16),
  size('Shield-L-RAM', 'shield', 4, 30, true, 24),
  size('Shield-XL', 'shield', 8, 62, true, 50),
  size('Shield-2XL', 'shield', 16, 126, true, 100),
];

/** By name (any case, as `heroku ps:type standard-2x` sends it) or id. */
export function findDynoSize(nameOrId: string): DynoSize | undefined {
  const wanted = nameOrId.toLowerCase();
  return DYNO_SIZES.find((s) => s.name.toLowerCase() === wanted || s.id === wanted);
}

/** A size drydock chose or stored itself; a miss means the database holds a name we never wrote. */
export function knownDynoSize(name: string): DynoSize {
  const size = findDynoSize(name);
  if (!size) throw new Error(`Unknown dyno size "${name}" in the database`);
  return size;
}

export function dynoSizeResponse(s: DynoSize) {
  return {
    architecture: 'amd64',
    compute: s.compute,
    cost: null,
    dedicated: s.dedicated,
    precise_dyno_units: s.preciseDynoUnits,
    generation: GENERATION,
    id: s.id,
    memory: s.memory,
    name: s.name,
    private_space_only: s.kind !== 'common',
  };
}
