import { Scope } from './scopes.js';

/** Who is calling: the account behind the bearer token, and what that token may do. */
export interface Principal {
  accountId: string;
  email: string;
  isAdmin: boolean;
  tokenId: string;
  scopes: Scope[];
}
