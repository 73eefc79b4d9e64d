/** The slug a release runs: `url` is an API path to GET with the manager's token. */
export interface ManagedSlug {
  id: string;
  /** `SHA256:<hex>` */
  checksum: string;
  url: string;
}

/** An attached one-off dyno whose single-use secret has not been used yet. */
export interface ManagedAttach {
  secretSha256: string;
  expiresAt: Date;
  tty: boolean;
  columns: number | null;
  lines: number | null;
}

/** A dyno as the dyno manager API lists it, reduced to what running it takes. */
export interface ManagedDyno {
  id: string;
  name: string;
  type: string;
  command: string;
  size: string;
  state: string;
  app: { id: string; name: string };
  release: { id: string; version: number } | null;
  generation: number;
  address: string | null;
  /** The whole environment from drydock. Secret: never log it. */
  env: Record<string, string>;
  slug: ManagedSlug | null;
  /** A `heroku run` dyno: it runs only for the client that attaches, never by itself. */
  attached: boolean;
  attach: ManagedAttach | null;
}

export const ONE_OFF_TYPE = 'run';

export function isOneOff(dyno: Pick<ManagedDyno, 'type'>): boolean {
  return dyno.type === ONE_OFF_TYPE;
}

/** An answer of the control plane this manager cannot follow (a bug or a version mismatch). */
export class DynoProtocolError extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DynoProtocolError(`${what} is not an object`);
  return value as Json;
}

function string(record: Json, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0)
    throw new DynoProtocolError(`${what}.${key} is not a non-empty string`);
  return value;
}

function optionalInteger(record: Json, key: string, what: string): number | null {
  const value = record[key];
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value)) throw new DynoProtocolError(`${what}.${key} is not an integer`);
  return value as number;
}

/** One ManagedDyno of a listing; throws DynoProtocolError on anything it cannot run safely. */
export function parseManagedDyno(value: unknown): ManagedDyno {
  const record = object(value, 'dyno');
  const name = string(record, 'name', 'dyno');
  const what = `dyno ${name}`;
  // The name becomes a directory: nothing but the process type and number.
  if (!/^[-\w]{1,128}\.\d{1,9}$/.test(name))
    throw new DynoProtocolError(`${what} has an unexpected name`);
  const app = object(record.app, `${what}.app`);
  const appId = string(app, 'id', `${what}.app`);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(appId))
    throw new DynoProtocolError(`${what}.app.id is not an id`);

  const generation = record.generation;
  if (!Number.isInteger(generation) || (generation as number) < 0)
    throw new DynoProtocolError(`${what}.generation is not an integer`);

  const env = object(record.env ?? {}, `${what}.env`);
  for (const [key, variable] of Object.entries(env)) {
    if (typeof variable !== 'string')
      throw new DynoProtocolError(`${what}.env.${key} is not a string`);
  }

  let slug: ManagedSlug | null = null;
  if (record.slug !== undefined && record.slug !== null) {
    const raw = object(record.slug, `${what}.slug`);
    slug = {
      id: string(raw, 'id', `${what}.slug`),
      checksum: string(raw, 'checksum', `${what}.slug`),
      url: string(raw, 'url', `${what}.slug`),
    };
    if (!/^[A-Za-z0-9-]{1,64}$/.test(slug.id))
      throw new DynoProtocolError(`${what}.slug.id is not an id`);
  }

  let attach: ManagedAttach | null = null;
  if (record.attach !== undefined && record.attach !== null) {
    const raw = object(record.attach, `${what}.attach`);
    const expiresAt = new Date(string(raw, 'expires_at', `${what}.attach`));
    if (Number.isNaN(expiresAt.getTime()))
      throw new DynoProtocolError(`${what}.attach.expires_at is not a time`);
    attach = {
      secretSha256: string(raw, 'secret_sha256', `${what}.attach`).toLowerCase(),
      expiresAt,
      tty: raw.tty === true,
      columns: optionalInteger(raw, 'columns', `${what}.attach`),
      lines: optionalInteger(raw, 'lines', `${what}.attach`),
    };
  }

  const release =
    record.release && typeof record.release === 'object'
      ? (record.release as { id: string; version: number })
      : null;

  return {
    id: string(record, 'id', what),
    name,
    type: string(record, 'type', what),
    command: string(record, 'command', what),
    size: typeof record.size === 'string' ? record.size : '',
    state: typeof record.state === 'string' ? record.state : '',
    app: { id: appId, name: typeof app.name === 'string' ? app.name : appId },
    release: release && { id: String(release.id), version: Number(release.version) },
    generation: generation as number,
    address: typeof record.address === 'string' ? record.address : null,
    env: env as Record<string, string>,
    slug,
    // An API from before the field: an attached dyno is one with a secret.
    attached: typeof record.attached === 'boolean' ? record.attached : attach !== null,
    attach,
  };
}

export function parseManagedDynos(value: unknown, what: string): ManagedDyno[] {
  if (!Array.isArray(value)) throw new DynoProtocolError(`${what} is not a list`);
  return value.map(parseManagedDyno);
}
