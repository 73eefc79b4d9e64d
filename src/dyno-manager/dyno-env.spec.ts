import { dynoEnv } from './dyno-env.js';

describe('dynoEnv', () => {
  const context = { home: '/srv/dynos/app/web.1', port: 41234, path: '/usr/bin:/bin' };

  it("is drydock's env plus PORT, DYNO, HOME and PATH, and nothing else", () => {
    expect(
      dynoEnv({ name: 'web.1', env: { DATABASE_URL: 'postgres://x', LANG: 'C' } }, context),
    ).toEqual({
      DATABASE_URL: 'postgres://x',
      LANG: 'C',
      PORT: '41234',
      DYNO: 'web.1',
      HOME: '/srv/dynos/app/web.1',
      PATH: '/usr/bin:/bin',
    });
  });

  it('sets no PORT for a dyno without one, yet keeps a PORT config var', () => {
    expect(dynoEnv({ name: 'worker.1', env: {} }, { ...context, port: undefined })).toEqual({
      DYNO: 'worker.1',
      HOME: context.home,
      PATH: context.path,
    });
    expect(
      dynoEnv({ name: 'worker.1', env: { PORT: '9' } }, { ...context, port: undefined }).PORT,
    ).toBe('9');
  });

  it("lets the platform's values win over config vars, except a PATH config var", () => {
    const env = dynoEnv(
      { name: 'web.2', env: { PORT: '1', DYNO: 'fake.9', HOME: '/tmp', PATH: '/app/bin:/bin' } },
      context,
    );
    expect(env).toEqual({
      PORT: '41234',
      DYNO: 'web.2',
      HOME: context.home,
      PATH: '/app/bin:/bin',
    });
  });
});
