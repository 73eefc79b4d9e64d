import type { Principal } from '../../src/common/auth/principal.js';
import { hashToken } from '../../src/common/auth/tokens.js';
import { ADMIN_TOKEN, type TestApp } from './test-app.js';

/** The bootstrap admin as the services see it, for service-level tests that skip HTTP. */
export async function adminPrincipal(t: TestApp): Promise<Principal> {
  const token = await t.prisma.apiToken.findUniqueOrThrow({
    where: { tokenHash: hashToken(ADMIN_TOKEN) },
    include: { account: true },
  });
  return {
    accountId: token.accountId,
    email: token.account.email,
    isAdmin: true,
    tokenId: token.id,
    scopes: ['global'],
  };
}
