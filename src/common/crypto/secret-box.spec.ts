import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips any string, unicode included', () => {
    for (const value of ['', 'postgres://u:p@h/db', 'ünïcødé ✓', 'x'.repeat(40_000)]) {
      expect(box.decrypt(box.encrypt(value))).toBe(value);
    }
  });

  it('never stores the plain value and never repeats a ciphertext', () => {
    const a = box.encrypt('s3cret-value');
    expect(a).not.toContain('s3cret');
    expect(box.encrypt('s3cret-value')).not.toBe(a);
  });

  it('refuses tampered data and a different key', () => {
    const sealed = box.encrypt('value');
    const [v, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow();
    expect(() => box.decrypt('plain text')).toThrow('Not a drydock secret');
  });
});
