import {
  array,
  boolean,
  Infer,
  integer,
  nullable,
  object,
  problemsOf,
  Shape,
  string,
  toOpenApi,
} from '../common/validation/shape.js';

const fromTo = <S extends Shape>(of: S) => object({ from: of, to: of });

/**
 * The changes of an app (recorded with its id and name), by action, with the payload their
 * `data` carries: what the watch stream sends and an app's audit trail shows.
 */
const APP_CHANGE_PAYLOADS = {
  'app.create': object({ space: nullable(string) }),
  'app.rename': fromTo(string),
  /** heroku stack:set, or a release of a slug on another stack: build_stack is the next deploy's. */
  'app.stack': object({ stack: fromTo(string), build_stack: fromTo(string) }),
  /**
   * The owner and collaborators, so that watchers who see only their own apps learn it is
   * gone. Events from before collaborators carry no collaborator_ids.
   */
  'app.destroy': object({ owner_id: string, collaborator_ids: array(string) }),
  /** An account was given access to the app, or lost it (`account_id`: whose). */
  'collaborator.create': object({ collaborator_id: string, account_id: string, email: string }),
  'collaborator.destroy': object({ collaborator_id: string, account_id: string, email: string }),
  'maintenance.enable': object({
    from: boolean,
    to: boolean,
    reason: nullable(string),
    source: string,
    /** When a window or auto-off will end it (ISO 8601); null when nothing will. */
    ends_at: nullable(string),
  }),
  'maintenance.disable': object({
    from: boolean,
    to: boolean,
    reason: nullable(string),
    source: string,
  }),
  /** The plan of a maintenance (or the app's scheduler policy) changed, as it now is. */
  'maintenance.update': object({
    freeze: boolean,
    jobs: string,
    max_duration: nullable(integer),
    auto_off_when_overdue: boolean,
    scale_down: array(string),
    ends_at: nullable(string),
    window_id: nullable(string),
  }),
  /** Maintenance lasted longer than its max_duration; recorded once per maintenance. */
  'maintenance.overdue': object({ since: string, max_duration: integer, auto_off: boolean }),
  'window.create': object({ window_id: string, starts_at: string, ends_at: string }),
  /** A window moved: scheduled to active, active to completed, either to cancelled. */
  'window.state': object({ window_id: string, from: string, to: string }),
  'formation.declare': object({ process_types: array(string) }),
  'formation.update': object({ type: string, quantity: fromTo(integer), size: fromTo(string) }),
  'config.update': object({ set: array(string), removed: array(string) }),
  'release.create': object({
    version: integer,
    description: string,
    /** The version whose config and process types this release restores, for a rollback. */
    rollback_of: nullable(integer),
  }),
  /** A slug waiting for its archive; a release of it is a `release.create`. */
  'slug.create': object({ slug_id: string, commit: nullable(string) }),
  'dyno.create': object({ name: string, command: string, size: string }),
  'dyno.restart': object({ dynos: array(string) }),
  'dyno.stop': object({ dynos: array(string) }),
  'dyno.state': object({
    name: string,
    type: string,
    from: string,
    state: string,
    address: nullable(string),
    /** How the process ended, with crashed or down; null otherwise. */
    exit_status: nullable(integer),
  }),
  /** Never the URL: drain URLs often carry credentials. */
  'drain.add': object({ drain_id: string, token: string }),
  'drain.remove': object({ drain_id: string, token: string }),
  /** A custom domain: routers send its host name to the app from now on (or no more). */
  'domain.create': object({ domain_id: string, hostname: string }),
  'domain.destroy': object({ domain_id: string, hostname: string }),
} as const satisfies Record<string, Shape>;

/**
 * Every change drydock records, by action, with its payload: the one description that
 * producers (TypeScript and the SQL functions of the migrations), the change feed, the
 * routing view, the watch stream and the auth cache share. Payloads never hold secret
 * values: config changes name keys, tokens their ids.
 */
export const CHANGE_PAYLOADS = {
  ...APP_CHANGE_PAYLOADS,
  'account.create': object({ email: string, admin: boolean }),
  'space.create': object({ name: string, shield: boolean }),
  'space.destroy': object({ name: string }),
  'token.create': object({ token_id: string, scopes: array(string) }),
  'token.update': object({ token_id: string, description: string }),
  /** A new secret: every replica's auth cache forgets the old one, and its watch streams end. */
  'token.rotate': object({ token_id: string }),
  /** Every replica's auth cache forgets the token, and its watch streams end. */
  'token.revoke': object({ token_id: string }),
} as const satisfies Record<string, Shape>;

export type ChangeAction = keyof typeof CHANGE_PAYLOADS;
/** The actions of app changes, which reach watch streams. */
export const APP_CHANGE_ACTIONS = Object.keys(APP_CHANGE_PAYLOADS).sort() as ChangeAction[];
export type ChangePayload<A extends ChangeAction> = Infer<(typeof CHANGE_PAYLOADS)[A]>;
export const CHANGE_ACTIONS = Object.keys(CHANGE_PAYLOADS).sort() as ChangeAction[];

interface Envelope {
  version: number;
  appId: string | null;
  appName: string | null;
  actorId: string | null;
  createdAt: Date;
}

/** One entry of the change log as readers see it, discriminated by `action`. */
export type ChangeEvent = {
  [A in ChangeAction]: Envelope & { action: A; data: ChangePayload<A> };
}[ChangeAction];

/** What a producer records; the log adds the version and the time. */
export type ChangeInput = {
  [A in ChangeAction]: {
    action: A;
    appId?: string;
    appName?: string;
    actorId?: string;
    data: ChangePayload<A>;
  };
}[ChangeAction];

/** The log's row as read through Prisma (version a bigint) or pg (version a string). */
export interface EventRow {
  version: bigint | string;
  action: string;
  appId: string | null;
  appName: string | null;
  actorId: string | null;
  data: unknown;
  createdAt: Date;
}

/**
 * A row of the log as a typed event. Rows are written only through CHANGE_PAYLOADS-typed
 * producers (a test holds the SQL functions to it), so this trusts the row; readers still
 * treat an action they do not know (a newer replica's) as a change to re-read.
 */
export function toChangeEvent(row: EventRow): ChangeEvent {
  return {
    version: Number(row.version),
    action: row.action,
    appId: row.appId,
    appName: row.appName,
    actorId: row.actorId,
    data: (row.data ?? {}) as never,
    createdAt: row.createdAt,
  } as ChangeEvent;
}

/** Why a stored event does not match the union: an unknown action or a payload of another shape. */
export function changeEventProblems(action: string, data: unknown): string[] {
  const shape = (CHANGE_PAYLOADS as Record<string, Shape>)[action];
  if (!shape) return [`action ${action}: not a known change`];
  return problemsOf(shape, data).map((problem) => `${action} ${problem}`);
}

/** The payload schemas for OpenAPI, by action. */
export function changePayloadSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    CHANGE_ACTIONS.map((action) => [action, toOpenApi(CHANGE_PAYLOADS[action])]),
  );
}
