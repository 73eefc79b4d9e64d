import { Scope } from './scopes.js';

/** Who is calling: the account behind the bearer token, and what that token may do. */
export interface Principal {
  accountId: string;
  email: string;
  isAdmin: boolean;
  tokenId: string;
  scopes: Scope[];
}

/**
 * The dyno manager API is for dyno-manager tokens and admins. A person's global token
 * passes the route's scope check (global grants every access), so this says no to it.
 */
export function isDynoManager(principal: Principal): boolean {
  return principal.isAdmin || principal.scopes.includes('dyno-manager');
}

export const NOT_A_DYNO_MANAGER =
  'Only dyno managers (dyno-manager scope) and admins may use the dyno manager API.';
