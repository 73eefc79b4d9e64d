import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { unpackSlugArchive } from '../../src/common/archive/slug-archive.js';
import { findFreePort } from '../../src/common/network/free-port.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

// Jest runs from the repository root, as npm does.
const ROOT = process.cwd();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/scripts/deploy.js` as `npm run deploy` runs it (built by `npm test`). */
async function runDeploy(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, ['dist/scripts/deploy.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, INIT_CWD: ROOT, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm run deploy', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    t = await startTestApp();
    const port = await t.listen();
    env = { DRYDOCK_URL: `http://127.0.0.1:${port}`, HEROKU_API_KEY: ADMIN_TOKEN };
    for (const name of ['hello-deploy', 'hello-git']) {
      await t.http().post('/apps').set(bearer(ADMIN_TOKEN)).send({ name }).expect(201);
    }
    work = mkdtempSync(path.join(tmpdir(), 'deploy-e2e-'));
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await t.close();
  });

  /** The archive the app's newest release runs, as a dyno manager fetches it, unpacked. */
  async function unpackCurrent(app: string, into: string): Promise<void> {
    const release = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: app } },
      orderBy: { version: 'desc' },
    });
    const manager = await t.mintToken(['dyno-manager']);
    const response = await request(
      `${env.DRYDOCK_URL}/dyno-manager/v1/slugs/${release.slugId}/archive`,
      { headers: bearer(manager) },
    );
    expect(response.statusCode).toBe(200);
    const file = path.join(work, `${app}.tgz`);
    await pipeline(Readable.from(response.body), createWriteStream(file));
    await unpackSlugArchive(file, into, { maxBytes: 10 * 1024 * 1024 });
  }

  it('deploys examples/hello: a slug with its Procfile, uploaded and released', async () => {
    const run = await runDeploy(['examples/hello', '--app', 'hello-deploy'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Packed examples\/hello: \d+ entries, \d+ bytes \(web, worker\)$/),
      expect.stringMatching(/^Created slug [0-9a-f-]{36}( of [0-9a-f]{7})?$/),
      expect.stringMatching(/^Uploaded the archive to 127\.0\.0\.1:\d+$/),
      'Released v2 of hello-deploy',
    ]);

    const v2 = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: 'hello-deploy' }, version: 2 },
      include: { slug: { include: { blob: true } } },
    });
    expect(v2.slug).toMatchObject({
      processTypes: { web: 'node web.js', worker: 'node worker.js' },
    });
    expect(v2.slug!.blob.completedAt).not.toBeNull();
    const formation = await t
      .http()
      .get('/apps/hello-deploy/formation')
      .set(bearer(ADMIN_TOKEN))
      .expect(200);
    expect(
      formation.body.map((f: { type: string; quantity: number }) => [f.type, f.quantity]),
    ).toEqual([
      ['web', 1],
      ['worker', 0],
    ]);
  });

  it('makes a slug that unpacks to the app, whose web process answers and stops on SIGTERM', async () => {
    const into = path.join(work, 'hello-dyno');
    await unpackCurrent('hello-deploy', into);
    expect(readdirSync(into).sort()).toEqual([
      'Procfile',
      'README.md',
      'package.json',
      'web.js',
      'worker.js',
    ]);

    const port = await findFreePort();
    const web = spawn(process.execPath, ['web.js'], {
      cwd: into,
      env: { PATH: process.env.PATH, PORT: String(port), DYNO: 'web.1' },
      stdio: 'ignore',
    });
    try {
      const body = await eventually(async () => {
        const response = await request(`http://127.0.0.1:${port}/`);
        expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
        return response.body.text();
      }, 10_000);
      expect(body).toBe('Hello from web.1: (GREETING is not set)\n');
    } finally {
      const exited = once(web, 'exit');
      web.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    }
  });

  it('records the git commit and leaves .git out of the slug', async () => {
    const repo = path.join(work, 'repo');
    cpSync(path.join(ROOT, 'examples/hello'), repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
        encoding: 'utf8',
      }).trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'First of hello');
    const head = git('rev-parse', 'HEAD');

    const run = await runDeploy([repo, '-a', 'hello-git'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`of ${head.slice(0, 7)}`);
    const release = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: 'hello-git' }, version: 2 },
      include: { slug: true },
    });
    expect(release).toMatchObject({
      description: `Deploy ${head.slice(0, 7)}`,
      slug: { commit: head, commitDescription: 'First of hello' },
    });
    const into = path.join(work, 'git-dyno');
    await unpackCurrent('hello-git', into);
    expect(readdirSync(into)).not.toContain('.git');
    expect(readdirSync(into)).toContain('Procfile');
  });

  it('prints what went wrong and exits 1', async () => {
    const empty = path.join(work, 'no-procfile');
    mkdirSync(empty);
    cpSync(path.join(ROOT, 'examples/hello/web.js'), path.join(empty, 'web.js'));
    const noProcfile = await runDeploy([empty, '--app', 'hello-deploy'], env);
    expect(noProcfile).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `deploy: ${empty} has no Procfile: add one with "web: <command>" lines.\n`,
    });

    const badProcfile = path.join(work, 'bad-procfile');
    cpSync(empty, badProcfile, { recursive: true });
    writeFileSync(path.join(badProcfile, 'Procfile'), 'node web.js\n');
    const bad = await runDeploy([badProcfile, '--app', 'hello-deploy'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^deploy: Procfile line 1 is not "type: command"/);

    const unknownApp = await runDeploy(['examples/hello', '--app', 'no-such-app'], env);
    expect(unknownApp.code).toBe(1);
    expect(unknownApp.stderr).toBe("deploy: Couldn't find that app.\n");

    const badToken = await runDeploy(['examples/hello', '--app', 'hello-deploy'], {
      ...env,
      HEROKU_API_KEY: 'drydock_not_a_real_token_0000000000',
    });
    expect(badToken).toMatchObject({ code: 1, stderr: 'deploy: Invalid credentials provided.\n' });

    const unreachable = await runDeploy(['examples/hello', '--app', 'hello-deploy'], {
      ...env,
      DRYDOCK_URL: `http://127.0.0.1:${await findFreePort()}`,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^deploy: Cannot reach http:\/\/127\.0\.0\.1:\d+/);
    // None of these cut a release.
    expect(await t.prisma.release.count({ where: { app: { name: 'hello-deploy' } } })).toBe(2);
  });
});
