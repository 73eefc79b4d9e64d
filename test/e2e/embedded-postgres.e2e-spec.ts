import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, lstat, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { StartupError } from '../../src/common/errors/startup-error.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { packagedBinaries } from '../../src/database/postgres-binaries.js';
import { isRoot } from '../../src/database/server-account.js';

// PostgreSQL refuses root, so as root the server runs as `postgres`, which cannot enter
// private (0700) directories. CI runs as root; as any other user there is nothing to test.
const asRoot = isRoot() ? describe : describe.skip;

asRoot('the embedded PostgreSQL, started by root from a private directory', () => {
  const cleanup: string[] = [];
  afterAll(() => Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true }))));

  /** A checkout in a 0700 directory (a clone under /root, a mktemp -d), with its own binaries. */
  async function privateCheckout() {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-private-'));
    cleanup.push(root);
    const packaged = await packagedBinaries();
    const dir = path.join(root, 'node_modules', 'native');
    await cp(packaged.dir, dir, { recursive: true, verbatimSymlinks: true });
    // A version of its own, so this test stages a fresh copy instead of finding one.
    const version = `${packaged.version}-test-${path.basename(root)}`;
    const binaries = {
      dir,
      postgres: path.join(dir, 'bin', 'postgres'),
      initdb: path.join(dir, 'bin', 'initdb'),
      version,
    };
    const systemDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-system-'));
    cleanup.push(systemDir);
    return { root, binaries, systemDir, dataDir: path.join(root, '.data') };
  }

  it('stages the server where it can run, keeps its data across restarts, and leaves the private directory private', async () => {
    const { root, binaries, systemDir, dataDir } = await privateCheckout();
    expect((await stat(root)).mode & 0o777).toBe(0o700);

    const first = await startEmbeddedPostgres(dataDir, { binaries, systemDir });
    try {
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (value text)');
      await client.query("INSERT INTO kept VALUES ('across restarts')");
      await client.end();
    } finally {
      await first.stop();
    }
    expect(first.clusterDir.startsWith(path.join(systemDir, 'clusters') + path.sep)).toBe(true);
    expect((await lstat(path.join(dataDir, 'postgres'))).isSymbolicLink()).toBe(true);
    expect(await realpath(path.join(dataDir, 'postgres'))).toBe(first.clusterDir);
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect(
      (
        await stat(
          path.join(
            systemDir,
            `postgres-${binaries.version}-${os.platform()}-${os.arch()}`,
            'bin',
            'postgres',
          ),
        )
      ).isFile(),
    ).toBe(true);

    const second = await startEmbeddedPostgres(dataDir, { binaries, systemDir });
    try {
      expect(second.clusterDir).toBe(first.clusterDir);
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      const { rows } = await client.query('SELECT value FROM kept');
      await client.end();
      expect(rows).toEqual([{ value: 'across restarts' }]);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('stops with a message that names the directory and the fix when nothing reachable can hold the data', async () => {
    const { root, binaries, dataDir } = await privateCheckout();
    const unreachableSystemDir = path.join(root, 'system');
    const failure = await startEmbeddedPostgres(dataDir, {
      binaries,
      systemDir: unreachableSystemDir,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toContain(root);
    expect((failure as Error).message).toMatch(
      /Set DATA_DIR to a directory .* or set DATABASE_URL/,
    );
    expect((failure as Error).message).not.toContain('\n');
  }, 60_000);

  it('`npm start` prints one line, no stack trace, when its existing data is out of the server account reach', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-private-'));
    cleanup.push(root);
    const dataDir = path.join(root, '.data');
    await mkdir(path.join(dataDir, 'postgres'), { recursive: true });
    await writeFile(path.join(dataDir, 'postgres', 'PG_VERSION'), '18\n');
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['dist/main.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(
      `drydock cannot start: The embedded PostgreSQL runs as "postgres", which cannot enter ${root}`,
    );
    expect(stderr).toContain('Set DATA_DIR to a directory');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
