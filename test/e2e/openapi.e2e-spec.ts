import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { startTestApp, TestApp } from '../support/test-app.js';

describe('openapi.yaml', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is identical to the document the service serves (run `npm run openapi` after API changes)', async () => {
    const served = await t.http().get('/docs-json').expect(200);
    const committed = parse(await readFile('openapi.yaml', 'utf8'));
    expect(committed).toEqual(served.body);
  });

  it('documents every route with bearer security except the public ones', async () => {
    const served = await t.http().get('/docs-json').expect(200);
    // Slug blob URLs are their own credential, as S3's presigned URLs.
    const publicPaths = [
      '/healthz',
      '/readyz',
      '/slug-uploads/{slug_id}',
      '/slug-downloads/{slug_id}',
      '/log-streams/{session_id}',
    ];
    for (const [path, operations] of Object.entries<Record<string, { security?: unknown[] }>>(
      served.body.paths,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const secured = Boolean(operation.security?.length);
        expect({ route: `${method} ${path}`, secured }).toEqual({
          route: `${method} ${path}`,
          secured: !publicPaths.includes(path),
        });
      }
    }
  });
});
