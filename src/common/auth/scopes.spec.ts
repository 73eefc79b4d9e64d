import { scopesAllow } from './scopes.js';

describe('scopesAllow', () => {
  it('lets global do everything a person can', () => {
    for (const access of ['identity', 'read', 'write', 'account', 'admin'] as const) {
      expect(scopesAllow(['global'], access)).toBe(true);
    }
  });

  it('keeps read tokens read-only and away from token management', () => {
    expect(scopesAllow(['read'], 'read')).toBe(true);
    expect(scopesAllow(['read'], 'write')).toBe(false);
    expect(scopesAllow(['write'], 'write')).toBe(true);
    expect(scopesAllow(['write'], 'account')).toBe(false);
    expect(scopesAllow(['identity'], 'identity')).toBe(true);
    expect(scopesAllow(['identity'], 'read')).toBe(false);
  });

  it('confines service tokens to their machine API', () => {
    expect(scopesAllow(['routing'], 'routing')).toBe(true);
    expect(scopesAllow(['routing'], 'read')).toBe(false);
    expect(scopesAllow(['routing'], 'scheduler')).toBe(false);
    expect(scopesAllow(['scheduler'], 'write')).toBe(false);
    expect(scopesAllow(['dyno-manager'], 'routing')).toBe(false);
  });
});
