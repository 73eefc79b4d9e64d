import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootstrapAdmin } from '../../src/admin-bootstrap.js';
import { hashToken } from '../../src/common/auth/tokens.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { StartupError } from '../../src/common/errors/startup-error.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

const NEW_ADMIN_TOKEN = 'f3a1c9e07b5d2468ace13579bdf02468ace13579';
const ROUTER_1 = '7c0d5e3a9b1f4e6d8a2c0b9e7f5d3a1c8e6b4d2f';
const ROUTER_2 = '2e4f6a8c0b1d3f5e7a9c8b0d2f4e6a1c3b5d7f9e';

describe('tokens made from the environment at boot', () => {
  let first: TestApp;
  let second: TestApp;
  let dataDir: string;
  const logger = createLogger('silent');
  /** What main.ts does after the app is built, with these settings. */
  const boot = (app: TestApp, settings: { adminToken?: string; routerToken?: string }) =>
    bootstrapAdmin(
      app.app,
      { ...app.config, dataDir, adminToken: ADMIN_TOKEN, ...settings },
      logger,
    );
  const status = (app: TestApp, token: string, route = '/account') =>
    app
      .http()
      .get(route)
      .set(bearer(token))
      .then((response) => response.status);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bootstrap-'));
    first = await startTestApp();
    second = await startTestApp({}, { reset: false });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a new DRYDOCK_ADMIN_TOKEN revokes the token of the previous value, on every replica', async () => {
    // Both replicas have verified (and cached) the current admin token.
    expect([await status(first, ADMIN_TOKEN), await status(second, ADMIN_TOKEN)]).toEqual([
      200, 200,
    ]);

    await boot(first, { adminToken: NEW_ADMIN_TOKEN });

    expect([await status(first, NEW_ADMIN_TOKEN), await status(second, NEW_ADMIN_TOKEN)]).toEqual([
      200, 200,
    ]);
    await eventually(async () =>
      expect([await status(first, ADMIN_TOKEN), await status(second, ADMIN_TOKEN)]).toEqual([
        401, 401,
      ]),
    );
    expect(
      await first.prisma.apiToken.count({ where: { tokenHash: hashToken(ADMIN_TOKEN) } }),
    ).toBe(0);
    const current = await first.prisma.apiToken.findUniqueOrThrow({
      where: { tokenHash: hashToken(NEW_ADMIN_TOKEN) },
      include: { account: true },
    });
    expect(current).toMatchObject({ bootstrap: 'DRYDOCK_ADMIN_TOKEN', scopes: ['global'] });
    expect(current.account.isAdmin).toBe(true);
    expect(await first.prisma.event.count({ where: { action: 'token.revoke' } })).toBe(1);

    // Booting again with the same value changes nothing.
    await boot(first, { adminToken: NEW_ADMIN_TOKEN });
    expect(await status(first, NEW_ADMIN_TOKEN)).toBe(200);
    expect(await first.prisma.event.count({ where: { action: 'token.revoke' } })).toBe(1);
  });

  it('gives the router a routing token from DRYDOCK_ROUTER_TOKEN, revoking the previous value', async () => {
    await boot(first, { adminToken: NEW_ADMIN_TOKEN, routerToken: ROUTER_1 });
    expect(await status(first, ROUTER_1, '/routing/v1/snapshot')).toBe(200);
    expect(await status(first, ROUTER_1, '/apps')).toBe(403);
    expect(await status(second, ROUTER_1, '/routing/v1/snapshot')).toBe(200);

    await boot(first, { adminToken: NEW_ADMIN_TOKEN, routerToken: ROUTER_2 });
    expect(await status(first, ROUTER_2, '/routing/v1/snapshot')).toBe(200);
    await eventually(async () =>
      expect([
        await status(first, ROUTER_1, '/routing/v1/snapshot'),
        await status(second, ROUTER_1, '/routing/v1/snapshot'),
      ]).toEqual([401, 401]),
    );
    expect(
      await first.prisma.apiToken.findMany({
        where: { bootstrap: 'DRYDOCK_ROUTER_TOKEN' },
        select: { tokenHash: true, scopes: true },
      }),
    ).toEqual([{ tokenHash: hashToken(ROUTER_2), scopes: ['routing'] }]);
  });

  it('without DRYDOCK_ROUTER_TOKEN, saves a routing token to DATA_DIR/router-token once', async () => {
    await boot(first, { adminToken: NEW_ADMIN_TOKEN });
    const file = path.join(dataDir, 'router-token');
    const saved = (await readFile(file, 'utf8')).trim();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(saved).toMatch(/^drydock_/);
    expect(await status(first, saved, '/routing/v1/snapshot')).toBe(200);
    expect(await status(first, saved, '/account')).toBe(403);

    await boot(first, { adminToken: NEW_ADMIN_TOKEN });
    expect((await readFile(file, 'utf8')).trim()).toBe(saved);
  });

  it('without DRYDOCK_DYNO_MANAGER_TOKEN, saves a dyno-manager token to DATA_DIR/dyno-manager-token once', async () => {
    await boot(first, { adminToken: NEW_ADMIN_TOKEN });
    const file = path.join(dataDir, 'dyno-manager-token');
    const saved = (await readFile(file, 'utf8')).trim();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await status(first, saved, '/dyno-manager/v1/dynos')).toBe(200);
    expect(await status(first, saved, '/routing/v1/snapshot')).toBe(403);
    expect(await status(first, saved, '/account')).toBe(403);

    await boot(first, { adminToken: NEW_ADMIN_TOKEN });
    expect((await readFile(file, 'utf8')).trim()).toBe(saved);
  });

  it('refuses a DRYDOCK_ROUTER_TOKEN that is already a wider token', async () => {
    const error = await boot(first, {
      adminToken: NEW_ADMIN_TOKEN,
      routerToken: NEW_ADMIN_TOKEN,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe(
      'DRYDOCK_ROUTER_TOKEN is already a token with the global scope; set it to a new random value, e.g. `openssl rand -hex 32`',
    );
    expect(await status(first, NEW_ADMIN_TOKEN)).toBe(200);
  });
});
