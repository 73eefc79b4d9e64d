/** Scopes a person may give their own tokens (Heroku's OAuth scope names). */
export const USER_SCOPES = ['global', 'write', 'read', 'identity'] as const;
/** Scopes for machines; only admins may mint tokens with them. */
export const SERVICE_SCOPES = ['routing', 'scheduler', 'dyno-manager'] as const;
export const ALL_SCOPES = [...USER_SCOPES, ...SERVICE_SCOPES] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/**
 * What a route needs from the caller's token:
 * - `identity`: who am I (GET /account)
 * - `read` / `write`: the caller's own apps and spaces (admins: all)
 * - `account`: the account itself and its tokens (only a global token, so a narrower
 *   token cannot mint a wider one)
 * - `admin`: an admin account with a global token
 * - `routing`, `scheduler`, `dyno-manager`: the machine APIs
 * - `logs`: writing log lines, for routers and dyno managers (and admins)
 */
export type Access =
  | 'identity'
  | 'read'
  | 'write'
  | 'account'
  | 'admin'
  | 'routing'
  | 'scheduler'
  | 'dyno-manager'
  | 'logs';

const GRANTS: Record<Access, readonly Scope[]> = {
  identity: ['global', 'write', 'read', 'identity'],
  read: ['global', 'write', 'read'],
  write: ['global', 'write'],
  account: ['global'],
  admin: ['global'],
  routing: ['global', 'write', 'read', 'routing'],
  scheduler: ['global', 'write', 'read', 'scheduler'],
  'dyno-manager': ['global', 'dyno-manager'],
  logs: ['global', 'routing', 'dyno-manager'],
};

/** The machine APIs: their own budget, and no account budget header. */
export function isMachineAccess(access: Access): boolean {
  return (
    access === 'routing' || access === 'scheduler' || access === 'dyno-manager' || access === 'logs'
  );
}

export function scopesAllow(scopes: readonly string[], access: Access): boolean {
  return GRANTS[access].some((scope) => scopes.includes(scope));
}
