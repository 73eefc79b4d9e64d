import type { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent.js';
import { AccountsService } from '../../src/accounts/accounts.service.js';
import { createApp } from '../../src/app.factory.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { PrismaService } from '../../src/database/prisma.service.js';

export const ADMIN_TOKEN = 'drydock_test_admin_token_0123456789';

const TABLES = [
  'encryption_keys',
  'domains',
  'log_drains',
  'log_lines',
  'log_streams',
  'events',
  'dyno_managers',
  'dyno_sessions',
  'maintenance_changes',
  'maintenance_windows',
  'dynos',
  'releases',
  'config_vars',
  'formations',
  'apps',
  'spaces',
  'api_tokens',
  'accounts',
];

export interface TestApp {
  app: NestFastifyApplication;
  http: () => TestAgent;
  prisma: PrismaService;
  config: AppConfig;
  /** A new token with these scopes, minted by `by` (the admin unless given); its secret. */
  mintToken(scopes: string[], by?: string): Promise<string>;
  /** Listens on a free loopback port, for clients outside the process; returns the port. */
  listen(): Promise<number>;
  /** Creates an account (through the admin API) and returns its global token. */
  createUser(email: string, options?: { admin?: boolean }): Promise<{ id: string; token: string }>;
  /**
   * Reports a dyno's state as its manager would (the admin's token unless given), about
   * the generation the dyno is at now; the response, for the caller to check.
   */
  reportDyno(
    app: string,
    dyno: string,
    report: Record<string, unknown>,
    token?: string,
  ): Promise<request.Response>;
  close(): Promise<void>;
}

export function testDatabaseUrl(): string {
  const url = process.env.DRYDOCK_TEST_DATABASE_URL;
  if (!url) throw new Error('DRYDOCK_TEST_DATABASE_URL is unset: run the tests through `npm test`');
  return url;
}

/**
 * The real application on the Fastify adapter, in-process, on this worker's database,
 * emptied first, with an admin whose token is ADMIN_TOKEN.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { reset?: boolean; logger?: Logger } = {},
): Promise<TestApp> {
  const databaseUrl = testDatabaseUrl();
  const config = loadConfig({
    DATA_DIR: '/nonexistent-drydock-test-data',
    DRYDOCK_ADMIN_TOKEN: ADMIN_TOKEN,
    DRYDOCK_ENCRYPTION_KEY: 'ab'.repeat(32),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = await createApp({ config, databaseUrl, logger });
  const prisma = app.get(PrismaService);
  // Emptied before init, which loads the in-memory routing view. A second instance on the
  // same database (a replica) keeps what the first one wrote.
  if (options.reset ?? true) {
    await prisma.$executeRawUnsafe(
      `TRUNCATE ${TABLES.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`,
    );
  }
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await app.get(AccountsService).ensureAdmin(ADMIN_TOKEN);

  const http = () => request(app.getHttpServer());
  return {
    app,
    http,
    prisma,
    config,
    async createUser(email, options = {}) {
      const response = await http()
        .post('/accounts')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ email, admin: options.admin ?? false })
        .expect(201);
      return { id: response.body.id, token: response.body.token };
    },
    async mintToken(scopes, by = ADMIN_TOKEN) {
      const response = await http()
        .post('/oauth/authorizations')
        .set('Authorization', `Bearer ${by}`)
        .send({ scope: scopes })
        .expect(201);
      return response.body.access_token.token as string;
    },
    async reportDyno(appName, dyno, report, token = ADMIN_TOKEN) {
      const listing = await http()
        .get(`/dyno-manager/v1/apps/${appName}/dynos`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      const found = (listing.body as { name: string; generation: number }[]).find(
        (d) => d.name === dyno,
      );
      return http()
        .put(`/dyno-manager/v1/apps/${appName}/dynos/${dyno}/state`)
        .set('Authorization', `Bearer ${token}`)
        .send({ generation: found?.generation ?? 1, ...report });
    },
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.getHttpServer().address() as AddressInfo).port;
    },
    close: () => app.close(),
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
