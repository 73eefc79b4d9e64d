/** Scopes a person may give their own tokens (Heroku's OAuth scope names). */
export const USER_SCOPES = ['global', 'read'] as const;
/** Scopes for machines; only admins may mint tokens with them. */
export const SERVICE_SCOPES = ['routing', 'scheduler', 'dyno-manager'] as const;
export const ALL_SCOPES = [...USER_SCOPES, ...SERVICE_SCOPES] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/**
 * What a route needs. `read` and `write` act on the caller's own resources (admins: all);
 * `admin` needs an admin account; the service accesses are for routers, schedulers and
 * dyno managers.
 */
export type Access = 'read' | 'write' | 'admin' | 'routing' | 'scheduler' | 'dyno-manager';

const GRANTS: Record<Access, readonly Scope[]> = {
  read: ['global', 'read'],
  write: ['global'],
  admin: ['global'],
  routing: ['global', 'read', 'routing'],
  scheduler: ['global', 'read', 'scheduler'],
  'dyno-manager': ['global', 'dyno-manager'],
};

export function scopesAllow(scopes: readonly string[], access: Access): boolean {
  return GRANTS[access].some((scope) => scopes.includes(scope));
}
