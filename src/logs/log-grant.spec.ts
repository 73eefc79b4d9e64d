import {
  checkGrant,
  LOG_SESSION_TTL_SECONDS,
  LOG_TAIL_RESUME_SECONDS,
  LogGrant,
  signGrant,
} from './log-grant.js';

const KEY = Buffer.alloc(32, 7);
const NOW = 1_780_000_000_000;
const grant: LogGrant = {
  session: '0b9f7a3c-7d3e-4a35-9c38-7c1f3e5d2a10',
  appId: '5a1c5a57-0f0b-4a2e-8d7e-3f1d2c4b5a69',
  source: 'app',
  dyno: 'web.1',
  lines: 100,
  tail: true,
  issuedAt: NOW / 1000,
};

describe('log session grants', () => {
  it('opens what it signed, filters and all', () => {
    const token = signGrant(KEY, grant);
    expect(checkGrant(KEY, grant.session, token, NOW + 1000, false)).toEqual({
      valid: true,
      grant,
    });
    expect(checkGrant(KEY, grant.session.toUpperCase(), token, NOW, false).valid).toBe(true);
  });

  it('refuses another session, another key, an altered body or no grant at all', () => {
    const token = signGrant(KEY, grant);
    const forged = { valid: false, reason: 'forged' };
    expect(checkGrant(KEY, '7d6a0f3e-1111-4a35-9c38-7c1f3e5d2a10', token, NOW, false)).toEqual(
      forged,
    );
    expect(checkGrant(Buffer.alloc(32, 8), grant.session, token, NOW, false)).toEqual(forged);
    const other = signGrant(KEY, { ...grant, appId: '00000000-0000-4000-8000-000000000000' });
    const spliced = `${other.split('.')[0]}.${token.split('.')[1]}`;
    expect(checkGrant(KEY, grant.session, spliced, NOW, false)).toEqual(forged);
    for (const bad of [undefined, ['a', 'b'], '', 'nodot', `${token}x`, '.'])
      expect(checkGrant(KEY, grant.session, bad, NOW, false)).toEqual(forged);
  });

  it('expires after its lifetime, and lets a resuming tail back in for longer', () => {
    const token = signGrant(KEY, grant);
    const afterTtl = NOW + LOG_SESSION_TTL_SECONDS * 1000;
    expect(checkGrant(KEY, grant.session, token, afterTtl, false)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(checkGrant(KEY, grant.session, token, afterTtl, true).valid).toBe(true);
    expect(
      checkGrant(KEY, grant.session, token, NOW + LOG_TAIL_RESUME_SECONDS * 1000, true),
    ).toEqual({
      valid: false,
      reason: 'expired',
    });
    const once = signGrant(KEY, { ...grant, tail: false });
    expect(checkGrant(KEY, grant.session, once, afterTtl, true).valid).toBe(false);
  });
});
