import { weakTokenProblem } from './token-strength.js';

describe('weakTokenProblem', () => {
  it('accepts random tokens', () => {
    for (const token of [
      'c0a8f6d2e4b19a7f3e5d8c1b0a9f7e6d5c4b3a29180f7e6d5c4b3a2918070605',
      'drydock_3q2-Jx0Yw9kLmN4pQrStUvWxYz012345',
      'drydock_test_admin_token_0123456789',
    ]) {
      expect(weakTokenProblem('DRYDOCK_ADMIN_TOKEN', token)).toBeUndefined();
    }
  });

  it('refuses the placeholders people copy from examples', () => {
    for (const token of [
      'change-me-to-a-long-random-token',
      'changeme-changeme-changeme-changeme',
      'CHANGE_ME_please_0123456789abcdefghij',
      'secretsecretsecretsecretsecretsecret',
      'passwordpasswordpasswordpasswordpassword',
      'tokentokentokentokentokentokentoken',
      'your-admin-token-goes-here-0123456789',
    ]) {
      expect(weakTokenProblem('DRYDOCK_ADMIN_TOKEN', token)).toBe(
        'DRYDOCK_ADMIN_TOKEN is a placeholder, not a secret: set it to a random value, e.g. `openssl rand -hex 32`',
      );
    }
  });

  it('refuses short tokens and repeated patterns, without echoing the value', () => {
    expect(weakTokenProblem('DRYDOCK_ROUTER_TOKEN', 'abc123-short')).toBe(
      'DRYDOCK_ROUTER_TOKEN must be at least 32 characters long: set it to a random value, e.g. `openssl rand -hex 32`',
    );
    for (const token of [
      'a'.repeat(40),
      'abc'.repeat(12),
      '0123456789abcdef'.repeat(2),
      'ab12'.repeat(10),
    ]) {
      expect(weakTokenProblem('DRYDOCK_ADMIN_TOKEN', token)).toMatch(
        /^DRYDOCK_ADMIN_TOKEN is a repeated pattern/,
      );
    }
    expect(weakTokenProblem('DRYDOCK_ADMIN_TOKEN', 'x'.repeat(20) + ' ' + 'y'.repeat(20))).toBe(
      'DRYDOCK_ADMIN_TOKEN must not contain whitespace',
    );
  });
});
