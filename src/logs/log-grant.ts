import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivedKey } from '../common/crypto/derived-key.js';

/** What a log session's URL lets anyone holding it read: one app's log, with its filters. */
export interface LogGrant {
  session: string;
  appId: string;
  source: string | null;
  dyno: string | null;
  lines: number;
  tail: boolean;
  /** Whole seconds since the epoch. */
  issuedAt: number;
}

/** How long a log session's URL may be opened, as Heroku's are short-lived. */
export const LOG_SESSION_TTL_SECONDS = 300;
/** How long a `--tail` whose stream dropped may reconnect (with Last-Event-ID) and resume. */
export const LOG_TAIL_RESUME_SECONDS = 3600;

export function logGrantKey(encryptionKey: Buffer): Buffer {
  return derivedKey(encryptionKey, 'drydock log session URLs');
}

/** The grant as a URL-safe token: its JSON and an HMAC of it, both base64url. */
export function signGrant(key: Buffer, grant: LogGrant): string {
  const body = Buffer.from(
    JSON.stringify([
      grant.session,
      grant.appId,
      grant.source,
      grant.dyno,
      grant.lines,
      grant.tail,
      grant.issuedAt,
    ]),
  ).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

export type GrantCheck =
  { valid: true; grant: LogGrant } | { valid: false; reason: 'forged' | 'expired' };

/**
 * Whether `token` is a grant we signed for `session`, still good at `nowMs`: within the
 * session's lifetime, or, for a tail resuming after a dropped stream, within the resume window.
 */
export function checkGrant(
  key: Buffer,
  session: string,
  token: unknown,
  nowMs: number,
  resuming: boolean,
): GrantCheck {
  const forged = { valid: false, reason: 'forged' } as const;
  if (typeof token !== 'string' || token.length > 2048) return forged;
  const dot = token.indexOf('.');
  if (dot < 0) return forged;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(key, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return forged;
  const grant = parse(body);
  if (!grant || grant.session !== session.toLowerCase()) return forged;
  const lifetime = resuming && grant.tail ? LOG_TAIL_RESUME_SECONDS : LOG_SESSION_TTL_SECONDS;
  if ((grant.issuedAt + lifetime) * 1000 <= nowMs) return { valid: false, reason: 'expired' };
  return { valid: true, grant };
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

/** The signed body; only ever our own JSON, but checked as data all the same. */
function parse(body: string): LogGrant | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 7) return null;
  const [session, appId, source, dyno, lines, tail, issuedAt] = value as unknown[];
  const nullableString = (v: unknown) => v === null || typeof v === 'string';
  if (typeof session !== 'string' || typeof appId !== 'string') return null;
  if (!nullableString(source) || !nullableString(dyno)) return null;
  if (!Number.isInteger(lines) || typeof tail !== 'boolean' || !Number.isInteger(issuedAt))
    return null;
  return {
    session,
    appId,
    source: source as string | null,
    dyno: dyno as string | null,
    lines: lines as number,
    tail,
    issuedAt: issuedAt as number,
  };
}
