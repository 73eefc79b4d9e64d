import { InvalidParamsError } from '../common/errors/api-errors.js';
import { refusedPageHost } from '../common/network/address-policy.js';
import type { LogDrainLimits } from '../config/app-config.js';

export const LOG_DRAIN_ALLOWED_HOSTS = 'LOG_DRAIN_ALLOWED_HOSTS';
export const MAX_DRAIN_URL_LENGTH = 2048;
const EXAMPLE = 'https://logs.example.com/drain';

/**
 * A drain URL as an app may add it: https (http only where the operator allows it), with a
 * host that does not name, as written, a loopback, private or link-local address, unless
 * the operator allows the host. Deliveries check the address they connect to as well, so a
 * name resolving to such an address is caught there. Returns the URL as given: that is the
 * identity `drains:remove` names it by.
 */
export function checkDrainUrl(value: unknown, limits: LogDrainLimits): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidParamsError(
      `url is required: the HTTPS URL to send logs to, such as ${EXAMPLE}.`,
    );
  if (value.length > MAX_DRAIN_URL_LENGTH)
    throw new InvalidParamsError(`url is longer than ${MAX_DRAIN_URL_LENGTH} characters.`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1].toLowerCase();
  if (scheme?.startsWith('syslog')) {
    throw new InvalidParamsError(
      `drydock supports HTTPS drains only: ${scheme}:// (syslog) drains are not supported. Use your log service's HTTPS drain endpoint, such as ${EXAMPLE}.`,
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (!url || !url.hostname || /[\s\x00-\x1f\x7f]/.test(value) || url.hash) {
    throw new InvalidParamsError(
      `url must be an https:// URL without a fragment, such as ${EXAMPLE}.`,
    );
  }
  if (url.protocol === 'http:' && !limits.allowHttp) {
    throw new InvalidParamsError(
      'Drain URLs must use https://: this drydock does not send logs, or the credentials in their URLs, over plain http (LOG_DRAINS_ALLOW_HTTP).',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidParamsError(`url must be an https:// URL, such as ${EXAMPLE}.`);
  const refusal = refusedPageHost(limits.allowList, url.hostname);
  if (refusal) {
    throw new InvalidParamsError(
      `Drain URLs must point at a public address: ${refusal}. Drains carry the app's logs out of drydock, not into its own network; use your log service's public endpoint, or ask the operator to allow the host in ${LOG_DRAIN_ALLOWED_HOSTS}.`,
    );
  }
  return value;
}
