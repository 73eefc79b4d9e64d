import type { Principal } from '../common/auth/principal.js';

/** Routers and schedulers (service scopes) and admins see every app; people see their own. */
export function canSeeAllApps(principal: Principal): boolean {
  return (
    principal.isAdmin ||
    principal.scopes.includes('routing') ||
    principal.scopes.includes('scheduler')
  );
}
