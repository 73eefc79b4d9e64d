import { parseAcceptExpansion } from './accept-expansion.js';

describe('parseAcceptExpansion', () => {
  it('reads comma-separated names, trimmed and lowercased', () => {
    expect([...parseAcceptExpansion(' addon_service, Plan ,')]).toEqual(['addon_service', 'plan']);
  });

  it('is empty without the header and joins repeated headers', () => {
    expect(parseAcceptExpansion(undefined).size).toBe(0);
    expect([...parseAcceptExpansion(['region', 'stack'])]).toEqual(['region', 'stack']);
  });
});
