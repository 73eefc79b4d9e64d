import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'drydock_';

/** A new random API token; only its hash is ever stored. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The last characters, shown in listings so an owner can tell tokens apart. */
export function tokenSuffix(token: string): string {
  return token.slice(-4);
}

/**
 * The token from `Authorization: Bearer <token>`, or from HTTP Basic with the token as
 * the password (what the Heroku CLI sends from ~/.netrc).
 */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const password = separator === -1 ? '' : decoded.slice(separator + 1);
    return password || undefined;
  }
  return undefined;
}
