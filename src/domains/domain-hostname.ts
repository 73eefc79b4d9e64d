import { createHash } from 'node:crypto';

/** DNS's limit on a name's text form (RFC 1035 §2.3.4: 255 octets on the wire). */
export const MAX_HOSTNAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** An RFC 1123 label: letters, digits and dashes, neither first nor last a dash. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Why a host name cannot be a custom domain; each is a 422 with this text. */
export class HostnameProblem extends Error {}

/**
 * The custom domain a user asked for, normalized as stored and routed (lower case, no
 * trailing dot), or a HostnameProblem saying why it cannot be one. Wildcards, IP
 * literals and names under APPS_DOMAIN (apps' default hosts) are refused.
 */
export function normalizeCustomHostname(input: string, appsDomain: string): string {
  const hostname = canonicalHostname(input);
  if (hostname === '') throw new HostnameProblem('Hostname is empty.');
  if (hostname.length > MAX_HOSTNAME_LENGTH) {
    throw new HostnameProblem(
      `Hostname is ${hostname.length} characters long; a host name has at most ${MAX_HOSTNAME_LENGTH}.`,
    );
  }
  if (hostname.includes('*')) {
    throw new HostnameProblem(
      `${hostname} is a wildcard domain; drydock routes exact host names only: add each name.`,
    );
  }
  if (hostname.includes(':') || hostname.startsWith('[')) {
    throw new HostnameProblem(
      `${hostname} is not a host name: IP addresses and ports are not domains.`,
    );
  }
  if (/[^\x21-\x7e]/.test(hostname)) {
    throw new HostnameProblem(
      `${hostname} has characters DNS names cannot: write internationalized names in their xn-- (punycode) form.`,
    );
  }
  const labels = hostname.split('.');
  if (labels.length < 2) {
    throw new HostnameProblem(`${hostname} is not a full host name such as www.example.com.`);
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH || !LABEL.test(label)) {
      throw new HostnameProblem(
        `${hostname} is not a valid host name: each dot-separated label must be 1 to ${MAX_LABEL_LENGTH} letters, digits or dashes, not starting or ending with a dash.`,
      );
    }
  }
  // Top-level domains are never all digits (RFC 3696 §2): this is how 10.0.0.1 is caught.
  if (/^\d+$/.test(labels[labels.length - 1])) {
    throw new HostnameProblem(`${hostname} is an IP address, not a host name.`);
  }
  if (hostname === appsDomain || hostname.endsWith(`.${appsDomain}`)) {
    throw new HostnameProblem(
      `${hostname} is under ${appsDomain}, where apps get their default domains; it cannot be added as a custom domain.`,
    );
  }
  return hostname;
}

/** A host name as domains are stored and looked up: trimmed, lower case, no trailing dot. */
export function canonicalHostname(input: string): string {
  const trimmed = input.trim().toLowerCase();
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/** The app's default domain, `<app>.<APPS_DOMAIN>`: it follows renames. */
export function defaultHostname(appName: string, appsDomain: string): string {
  return `${appName}.${appsDomain}`;
}

/**
 * The id of an app's default (kind "heroku") domain. It is not stored, so it is derived
 * from the app's id: stable across renames and restarts, a UUID as Heroku's are (laid
 * out as a version 5 UUID, RFC 9562 §5.5: a SHA-1 of the app's id).
 */
export function defaultDomainId(appId: string): string {
  const hash = createHash('sha1').update(`drydock heroku domain ${appId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
