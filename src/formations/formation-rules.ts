import { InvalidParamsError } from '../common/errors/api-errors.js';
import type { DynoSize } from '../dyno-sizes/dyno-size-catalogue.js';
import type { AppPlacement } from '../dyno-sizes/dyno-size-rules.js';

export const MAX_QUANTITY = 100;

/**
 * A requested quantity: a number, or the strings the Heroku CLI sends ("3", "+1", "-1").
 * Returns the new absolute quantity.
 */
export function resolveQuantity(type: string, requested: number | string, current: number): number {
  const text = String(requested).trim();
  if (!/^[+-]?\d{1,6}$/.test(text)) {
    throw new InvalidParamsError(
      `quantity for ${type} must be a whole number, or +N / -N to scale relatively; got "${requested}"`,
    );
  }
  // Only the CLI's strings scale relatively; a JSON number is always absolute.
  const relative = typeof requested === 'string' && (text.startsWith('+') || text.startsWith('-'));
  const quantity = relative ? current + Number(text) : Number(text);
  if (quantity < 0) {
    throw new InvalidParamsError(
      `Cannot scale ${type} to ${quantity}: quantity must be at least 0 (it is ${current}).`,
    );
  }
  return quantity;
}

export function checkQuantityLimit(type: string, quantity: number, size: DynoSize): void {
  const limit = Math.min(size.maxQuantity, MAX_QUANTITY);
  if (quantity > limit) {
    throw new InvalidParamsError(
      `Cannot scale ${type} to ${quantity} ${size.name} dynos: the limit is ${limit}.`,
    );
  }
}

/**
 * In a Private Space the routing proxy runs on the web dynos: with web at 0 visitors get
 * routing errors, not the maintenance page. Refuse that while maintenance is on, unless
 * the caller says they accept it.
 */
export function checkPrivateSpaceWebGuard(
  app: AppPlacement & { name: string; maintenance: boolean },
  type: string,
  quantity: number,
  override: boolean,
): void {
  if (type !== 'web' || quantity !== 0 || !app.space || !app.maintenance || override) return;
  throw new InvalidParamsError(
    `Refusing to scale web to 0 for ${app.name}: it is in maintenance mode in the Private Space ${app.space.name}, ` +
      'where the routing proxy runs on the web dynos. With no web dynos, visitors would get errors instead of the ' +
      'maintenance page. Keep at least one web dyno, or send "override_private_space_guard": true to scale to 0 anyway.',
  );
}
