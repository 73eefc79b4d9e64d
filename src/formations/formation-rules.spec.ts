import { InvalidParamsError } from '../common/errors/api-errors.js';
import { findDynoSize } from '../dyno-sizes/dyno-size-catalogue.js';
import { defaultSize, resolveSize } from '../dyno-sizes/dyno-size-rules.js';
import {
  checkPrivateSpaceWebGuard,
  checkQuantityLimit,
  resolveQuantity,
} from './formation-rules.js';

const COMMON = { space: null };
const PRIVATE = { space: { name: 'nasa', shield: false } };
const SHIELD = { space: { name: 'vault', shield: true } };

describe('resolveQuantity', () => {
  it('takes numbers and the strings the CLI sends, absolute or relative', () => {
    expect(resolveQuantity('web', 3, 1)).toBe(3);
    expect(resolveQuantity('web', '0', 2)).toBe(0);
    expect(resolveQuantity('web', '+1', 2)).toBe(3);
    expect(resolveQuantity('web', '-1', 2)).toBe(1);
  });

  it('refuses negative results and non-numbers', () => {
    for (const bad of ['-3', -1, 'two', '1.5', '', '++1', '1e3']) {
      expect(() => resolveQuantity('web', bad, 2)).toThrow(InvalidParamsError);
    }
  });
});

describe('resolveSize', () => {
  it('matches names in any case and returns the canonical one', () => {
    expect(resolveSize('standard-2x', COMMON).name).toBe('Standard-2X');
    expect(resolveSize('Private-M', PRIVATE).name).toBe('Private-M');
  });

  it('keeps private sizes in spaces and common sizes outside', () => {
    expect(() => resolveSize('Private-M', COMMON)).toThrow(/only in a Private Space/);
    expect(() => resolveSize('Standard-1X', PRIVATE)).toThrow(/need private dyno sizes/);
    expect(() => resolveSize('Shield-M', PRIVATE)).toThrow(/Shield Private Space/);
    expect(() => resolveSize('Huge-9X', COMMON)).toThrow(/Unknown dyno size/);
  });

  it('stores Shield sizes as their Private names, as Heroku does', () => {
    expect(resolveSize('shield-l', SHIELD).name).toBe('Private-L');
  });

  it('defaults to Standard-1X, or Private-S in a space', () => {
    expect(defaultSize(COMMON).name).toBe('Standard-1X');
    expect(defaultSize(SHIELD).name).toBe('Private-S');
  });
});

describe('checkQuantityLimit', () => {
  it('allows one Eco or Basic dyno and up to 100 others', () => {
    expect(() => checkQuantityLimit('web', 1, findDynoSize('eco')!)).not.toThrow();
    expect(() => checkQuantityLimit('web', 2, findDynoSize('basic')!)).toThrow(/limit is 1/);
    expect(() => checkQuantityLimit('web', 100, findDynoSize('standard-1x')!)).not.toThrow();
    expect(() => checkQuantityLimit('web', 101, findDynoSize('standard-1x')!)).toThrow(
      /limit is 100/,
    );
  });
});

describe('checkPrivateSpaceWebGuard', () => {
  const app = { name: 'myapp', maintenance: true, ...PRIVATE };

  it('refuses web=0 in a private space while in maintenance, explaining why and how to override', () => {
    expect(() => checkPrivateSpaceWebGuard(app, 'web', 0, false)).toThrow(
      /override_private_space_guard/,
    );
  });

  it('allows it with the override, outside maintenance, outside a space, or for other types', () => {
    expect(() => checkPrivateSpaceWebGuard(app, 'web', 0, true)).not.toThrow();
    expect(() =>
      checkPrivateSpaceWebGuard({ ...app, maintenance: false }, 'web', 0, false),
    ).not.toThrow();
    expect(() => checkPrivateSpaceWebGuard({ ...app, space: null }, 'web', 0, false)).not.toThrow();
    expect(() => checkPrivateSpaceWebGuard(app, 'worker', 0, false)).not.toThrow();
    expect(() => checkPrivateSpaceWebGuard(app, 'web', 1, false)).not.toThrow();
  });
});
