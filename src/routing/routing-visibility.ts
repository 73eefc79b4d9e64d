import type { Principal } from '../common/auth/principal.js';

/** Routers, schedulers and dyno managers (service scopes) and admins see every app; people see their own. */
export function canSeeAllApps(principal: Principal): boolean {
  return (
    principal.isAdmin ||
    principal.scopes.includes('routing') ||
    principal.scopes.includes('scheduler') ||
    principal.scopes.includes('dyno-manager')
  );
}
