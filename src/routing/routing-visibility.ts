import type { Principal } from '../common/auth/principal.js';
import type { AppMembers } from './routing-entry.js';

/**
 * Routers, schedulers and dyno managers (service scopes) and admins see every app; people
 * see the apps they own or collaborate on (isMember).
 */
export function canSeeAllApps(principal: Principal): boolean {
  return (
    principal.isAdmin ||
    principal.scopes.includes('routing') ||
    principal.scopes.includes('scheduler') ||
    principal.scopes.includes('dyno-manager')
  );
}

/** Whether the account owns the app or collaborates on it: two hash lookups at most. */
export function isMember(members: AppMembers, accountId: string): boolean {
  return members.ownerId === accountId || members.collaboratorIds.has(accountId);
}
