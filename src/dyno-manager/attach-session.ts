import { createHash, timingSafeEqual } from 'node:crypto';

/** Heroku's error for an attached one-off dyno nobody attached to in time. */
export const ATTACH_ERROR = 'Error R13 (Attach error) -> Failed to attach to process';
/** Its client attached to a dyno manager that has since gone, and the session with it. */
export const ORPHANED_ATTACH_ERROR =
  'The attached session ended with the dyno manager that ran it (it restarted)';

/** What the rendezvous gets for a secret: the session of an attached one-off dyno. */
export type { AttachSession } from './rendezvous/rendezvous-server.js';

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex sha256 digests without leaking where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
