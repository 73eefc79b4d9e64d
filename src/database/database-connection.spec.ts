import { redactUrl } from './database-connection.js';

describe('redactUrl', () => {
  it('hides the password and query parameters', () => {
    expect(redactUrl('postgresql://app:s3cret@db.internal:5432/drydock?sslpassword=x')).toBe(
      'postgresql://app:***@db.internal:5432/drydock',
    );
  });

  it('never echoes an unparseable URL, which could hold a password', () => {
    expect(redactUrl('postgres://user:pa ss@/%%%')).toBe('(unparseable URL)');
  });
});
