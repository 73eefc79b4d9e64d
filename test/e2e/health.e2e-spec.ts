import { startTestApp, TestApp } from '../support/test-app.js';

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers /healthz without a token', async () => {
    const response = await t.http().get('/healthz').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz when the database is migrated', async () => {
    await t.http().get('/readyz').expect(200, { status: 'ok' });
  });

  it('reports not ready while a migration is missing', async () => {
    const [last] = await t.prisma.$queryRaw<
      { id: string }[]
    >`SELECT id FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`;
    await t.prisma
      .$executeRaw`UPDATE "_prisma_migrations" SET finished_at = NULL WHERE id = ${last.id}`;
    try {
      const response = await t.http().get('/readyz').expect(503);
      expect(response.body.id).toBe('service_unavailable');
      expect(response.body.message).toMatch(/Migrations pending/);
    } finally {
      await t.prisma
        .$executeRaw`UPDATE "_prisma_migrations" SET finished_at = now() WHERE id = ${last.id}`;
    }
  });

  it('echoes a client Request-Id and generates one otherwise', async () => {
    const echoed = await t.http().get('/healthz').set('Request-Id', 'abc-123').expect(200);
    expect(echoed.headers['request-id']).toBe('abc-123');
    const generated = await t.http().get('/healthz').expect(200);
    expect(generated.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t
      .http()
      .get('/healthz')
      .set('Request-Id', 'x" level=error <script>')
      .expect(200);
    expect(hostile.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Swagger UI and the OpenAPI document without a token', async () => {
    await t.http().get('/docs').expect(200);
    const document = await t.http().get('/docs-json').expect(200);
    expect(document.body.paths['/apps']).toBeDefined();
  });

  it('answers unknown routes with a Heroku-shaped 404', async () => {
    const response = await t.http().get('/no-such-route').expect(404);
    expect(response.body.id).toBe('not_found');
  });
});
