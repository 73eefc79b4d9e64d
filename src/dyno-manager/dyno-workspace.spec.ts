import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { JsonClient } from '../common/http-client/json-client.js';
import { DynoWorkspace, WorkspaceError } from './dyno-workspace.js';
import type { ManagedDyno, ManagedSlug } from './managed-dyno.js';
import { SlugCache } from './slug-cache.js';

const TOKEN = 'drydock_dm_test';
const SLUG_ID = '9b1f0c2e-3d4a-4b5c-8d6e-7f8091a2b3c4';

describe('DynoWorkspace and SlugCache', () => {
  let dir: string;
  let archive: Buffer;
  let server: http.Server;
  let requests: Array<{ url: string; authorization: string | undefined }>;
  let baseUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-workspace-'));
    const source = path.join(dir, 'source');
    mkdirSync(path.join(source, 'app', 'bin'), { recursive: true });
    writeFileSync(path.join(source, 'app', 'Procfile'), 'web: bin/web\n');
    writeFileSync(path.join(source, 'app', 'bin', 'web'), '#!/bin/sh\necho web\n', { mode: 0o755 });
    const file = path.join(dir, 'slug.tgz');
    await create({ gzip: true, cwd: source, file, portable: true }, ['./app']);
    archive = readFileSync(file);

    requests = [];
    server = http.createServer((request, response) => {
      requests.push({ url: request.url!, authorization: request.headers.authorization });
      if (request.url === `/api/dyno-manager/v1/slugs/${SLUG_ID}/archive`) {
        response.writeHead(200, { 'Content-Type': 'application/gzip' });
        response.end(archive);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => {
    // fetch keeps its connections alive: close them too, or the server holds the process.
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const slug = (overrides: Partial<ManagedSlug> = {}): ManagedSlug => ({
    id: SLUG_ID,
    checksum: `SHA256:${createHash('sha256').update(archive).digest('hex')}`,
    url: `/dyno-manager/v1/slugs/${SLUG_ID}/archive`,
    ...overrides,
  });
  const dyno = (name: string, withSlug: ManagedSlug | null) =>
    ({ app: { id: 'app-1', name: 'shop' }, name, slug: withSlug }) as ManagedDyno;
  const workspace = (root: string) =>
    new DynoWorkspace(
      root,
      new SlugCache(path.join(root, 'slugs'), new JsonClient({ baseUrl, token: TOKEN })),
    );

  it("unpacks a fresh copy of the release's slug for every start, downloading it once", async () => {
    const root = mkdtempSync(path.join(dir, 'root-'));
    const spaces = workspace(root);
    const first = await spaces.prepare(dyno('web.1', slug()));
    expect(first).toBe(path.join(root, 'dynos', 'app-1', 'web.1'));
    expect(readFileSync(path.join(first, 'Procfile'), 'utf8')).toBe('web: bin/web\n');
    writeFileSync(path.join(first, 'left-by-the-last-process'), 'x');

    const again = await spaces.prepare(dyno('web.1', slug()));
    expect(readFileSync(path.join(again, 'bin', 'web'), 'utf8')).toContain('echo web');
    expect(() => readFileSync(path.join(again, 'left-by-the-last-process'))).toThrow();
    await spaces.prepare(dyno('web.2', slug()));

    expect(requests.filter((each) => each.url.endsWith('/archive'))).toEqual([
      { url: `/api/dyno-manager/v1/slugs/${SLUG_ID}/archive`, authorization: `Bearer ${TOKEN}` },
    ]);
    expect(readFileSync(path.join(root, 'slugs', `${SLUG_ID}.tgz`))).toEqual(archive);
  });

  it('runs a release without a slug in an empty directory', async () => {
    const root = mkdtempSync(path.join(dir, 'root-'));
    const prepared = await workspace(root).prepare(dyno('worker.1', null));
    expect(prepared).toBe(path.join(root, 'dynos', 'app-1', 'worker.1'));
    expect(readdirSync(prepared)).toEqual([]);
  });

  it('refuses a slug whose bytes do not match its checksum, and keeps nothing of it', async () => {
    const root = mkdtempSync(path.join(dir, 'root-'));
    const wrong = slug({ checksum: `SHA256:${'0'.repeat(64)}` });
    await expect(workspace(root).prepare(dyno('web.1', wrong))).rejects.toThrow(
      new WorkspaceError(`Slug ${SLUG_ID} does not match its checksum (got ${slug().checksum})`),
    );
    expect(readdirSync(path.join(root, 'slugs'))).toEqual([]);
  });

  it('never sends the token anywhere but the control plane', async () => {
    const root = mkdtempSync(path.join(dir, 'root-'));
    const before = requests.length;
    await expect(
      workspace(root).prepare(
        dyno(
          'web.1',
          slug({ url: `http://198.51.100.7/dyno-manager/v1/slugs/${SLUG_ID}/archive` }),
        ),
      ),
    ).rejects.toThrow(`Slug ${SLUG_ID} is not served by the control plane`);
    await expect(
      workspace(root).prepare(
        dyno('web.1', slug({ url: `${baseUrl}/dyno-manager/v1/slugs/${SLUG_ID}/archive` })),
      ),
    ).resolves.toContain('web.1');
    expect(requests.length).toBe(before + 1);
  });

  it('says why a slug could not be downloaded', async () => {
    const root = mkdtempSync(path.join(dir, 'root-'));
    await expect(
      workspace(root).prepare(dyno('web.1', slug({ url: '/dyno-manager/v1/slugs/other/archive' }))),
    ).rejects.toThrow(`Slug ${SLUG_ID} could not be downloaded: the control plane answered 404`);
  });
});
