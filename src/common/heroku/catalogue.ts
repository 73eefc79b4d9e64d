import { InvalidParamsError } from '../errors/api-errors.js';

/**
 * Regions and stacks drydock knows. Heroku serializes them as objects with ids; drydock's
 * ids are fixed so that they stay the same across installations.
 */
export const REGIONS = [
  {
    id: '59accabd-516d-4f0e-83e6-6e3757701145',
    name: 'us',
    description: 'United States',
    country: 'United States',
  },
  {
    id: 'ed30241c-ed8c-4bb6-9714-61953675d0b4',
    name: 'eu',
    description: 'Europe',
    country: 'European Union',
  },
] as const;

export type Region = (typeof REGIONS)[number];

/**
 * The stacks an app may have (create, stack:set, slugs) and GET /stacks lists. `since` is
 * when drydock began offering the stack: Heroku's created_at and updated_at of a stack.
 */
export const STACKS = [
  {
    id: 'ae20ea1c-5d1b-4ef8-8c3b-2e4a4d3f2b22',
    name: 'heroku-22',
    state: 'public',
    since: '2026-11-27T00:00:00.000Z',
  },
  {
    id: 'c1c1b2ad-3c74-4b8a-9c1e-6d9c2f4a1e24',
    name: 'heroku-24',
    state: 'public',
    since: '2026-11-27T00:00:00.000Z',
  },
] as const;

/** Heroku's app generation; drydock models the classic one. */
export const GENERATION = { id: '8a8a8f4b-3a3e-4f77-9c5a-0c9a1d2b3e41', name: 'cedar' } as const;

export const DEFAULT_REGION = 'us';
export const DEFAULT_STACK = 'heroku-24';

export const REGION_NAMES = REGIONS.map((region) => region.name);
export const STACK_NAMES = STACKS.map((stack) => stack.name);

export interface CatalogueRef {
  id: string;
  name: string;
}

export function regionRef(name: string): CatalogueRef {
  const { id } = regionNamed(name);
  return { id, name };
}

/** The region of a stored app or space. */
export function regionNamed(name: string): Region {
  return findByName(REGIONS, name, 'region') as Region;
}

/** The region by id or name, as the API's paths name it; undefined when drydock has none such. */
export function findRegion(idOrName: string): Region | undefined {
  const key = idOrName.toLowerCase();
  return REGIONS.find((region) => region.id === key || region.name === key);
}

export function stackRef(name: string): CatalogueRef {
  const { id } = findByName(STACKS, name, 'stack');
  return { id, name };
}

export type Stack = (typeof STACKS)[number];

/** A stack by name or id, as Heroku's stack identity takes it; undefined when drydock has none. */
export function findStack(nameOrId: string): Stack | undefined {
  const wanted = nameOrId.toLowerCase();
  return STACKS.find((stack) => stack.name === wanted || stack.id === wanted);
}

/** The name of the stack `nameOrId` (a slug's, stack:set's); one drydock lacks is a 422. */
export function knownStack(nameOrId: string): string {
  const stack = findStack(nameOrId);
  if (!stack) {
    throw new InvalidParamsError(
      `Couldn't find the stack ${nameOrId}: drydock has ${STACK_NAMES.join(', ')}.`,
    );
  }
  return stack.name;
}

function findByName(entries: readonly CatalogueRef[], name: string, kind: string): CatalogueRef {
  const entry = entries.find((candidate) => candidate.name === name);
  // Names are validated on the way in, so a miss means the database holds something we never wrote.
  if (!entry) throw new Error(`Unknown ${kind} "${name}" in the database`);
  return entry;
}
