import { DynoProtocolError, parseManagedDyno, parseManagedDynos } from './managed-dyno.js';

const listed = {
  attach_url: null,
  command: 'node server.js',
  created_at: '2026-12-01T00:00:00.000Z',
  id: '5e2f4b36-8f3a-4f34-9b38-6a1c1f2a0c11',
  name: 'web.1',
  release: { id: 'a3f0b0d6-6b8e-4b52-8f56-7c2f0e1d9a10', version: 4 },
  app: { id: '0d4cf5a8-1c3b-4e5e-9d8f-2b6a7c9e0f12', name: 'shop' },
  size: 'Standard-1X',
  state: 'starting',
  type: 'web',
  updated_at: '2026-12-01T00:00:00.000Z',
  generation: 3,
  address: null,
  env: { DATABASE_URL: 'postgres://secret' },
  slug: {
    id: '9b1f0c2e-3d4a-4b5c-8d6e-7f8091a2b3c4',
    checksum: 'SHA256:ab12',
    url: '/dyno-manager/v1/slugs/9b1f0c2e-3d4a-4b5c-8d6e-7f8091a2b3c4/archive',
  },
  attach: null,
  exit_status: null,
  error: null,
};

describe('parseManagedDyno', () => {
  it('reads what running a dyno takes', () => {
    expect(parseManagedDyno(listed)).toEqual({
      id: listed.id,
      name: 'web.1',
      type: 'web',
      command: 'node server.js',
      size: 'Standard-1X',
      state: 'starting',
      app: listed.app,
      release: listed.release,
      generation: 3,
      address: null,
      env: { DATABASE_URL: 'postgres://secret' },
      slug: listed.slug,
      attached: false,
      attach: null,
    });
  });

  it('reads the attachment of an attached one-off dyno', () => {
    const dyno = parseManagedDyno({
      ...listed,
      name: 'run.1',
      type: 'run',
      slug: null,
      attach: {
        secret_sha256: 'ABCDEF',
        expires_at: '2026-12-01T00:01:00.000Z',
        tty: true,
        columns: 80,
        lines: 24,
      },
    });
    expect(dyno.attach).toEqual({
      secretSha256: 'abcdef',
      expiresAt: new Date('2026-12-01T00:01:00.000Z'),
      tty: true,
      columns: 80,
      lines: 24,
    });
    expect(dyno.slug).toBeNull();
    // From an API without the field, an attached dyno is one with a secret.
    expect(dyno.attached).toBe(true);
    expect(parseManagedDyno({ ...listed, type: 'run', attached: true }).attached).toBe(true);
  });

  it.each([
    ['a name that would leave its directory', { name: '../web.1' }],
    ['a missing generation', { generation: undefined }],
    ['an env value that is not a string', { env: { N: 1 } }],
    ['a slug id that is not an id', { slug: { ...listed.slug, id: '../../etc' } }],
    ['an app without an id', { app: { name: 'shop' } }],
  ])('refuses %s', (_, change) => {
    expect(() => parseManagedDyno({ ...listed, ...change })).toThrow(DynoProtocolError);
  });

  it('refuses a listing that is not a list', () => {
    expect(() => parseManagedDynos({ dynos: [] }, 'listing')).toThrow('listing is not a list');
  });
});
