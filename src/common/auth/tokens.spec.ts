import { generateToken, hashToken, tokenFromAuthorization } from './tokens.js';

describe('tokens', () => {
  it('generates distinct tokens with enough entropy', () => {
    const a = generateToken();
    expect(a).toMatch(/^drydock_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('hashes deterministically without keeping the token', () => {
    expect(hashToken('abc')).toBe(hashToken('abc'));
    expect(hashToken('abc')).not.toContain('abc');
  });

  it('reads Bearer and Basic (token as password) credentials', () => {
    expect(tokenFromAuthorization('Bearer tok123')).toBe('tok123');
    expect(tokenFromAuthorization('bearer  tok123')).toBe('tok123');
    const basic = Buffer.from('me@example.com:tok456').toString('base64');
    expect(tokenFromAuthorization(`Basic ${basic}`)).toBe('tok456');
  });

  it('finds no token in missing or malformed headers', () => {
    expect(tokenFromAuthorization(undefined)).toBeUndefined();
    expect(tokenFromAuthorization('Bearer')).toBeUndefined();
    expect(tokenFromAuthorization('Digest abc')).toBeUndefined();
    expect(
      tokenFromAuthorization(`Basic ${Buffer.from('user-only').toString('base64')}`),
    ).toBeUndefined();
  });
});
