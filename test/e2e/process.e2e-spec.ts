import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDrydock } from '../support/drydock-process.js';

describe('the service process on the embedded database', () => {
  const dirs: string[] = [];
  const newDataDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-process-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('starts, keeps its data across restarts, and exits 0 on SIGTERM and SIGINT', async () => {
    const dataDir = await newDataDir();
    const first = await startDrydock(dataDir);
    const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    const created = await fetch(`http://127.0.0.1:${first.port}/apps`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'survives-restart' }),
    });
    expect(created.status).toBe(201);
    expect(await first.stop('SIGTERM')).toBe(0);

    const password = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
    expect(first.output()).toMatch(
      /database: embedded PostgreSQL at postgresql:\/\/drydock:\*\*\*@127\.0\.0\.1/,
    );
    expect(first.output()).not.toContain(password);
    expect(first.output().split(token).length - 1).toBe(1); // printed once, for the operator

    const second = await startDrydock(dataDir);
    const app = await fetch(`http://127.0.0.1:${second.port}/apps/survives-restart`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(app.status).toBe(200);
    expect(second.output()).not.toContain(token);
    expect(await second.stop('SIGINT')).toBe(0);
  }, 120_000);

  it('runs two instances with separate data directories side by side', async () => {
    const [a, b] = await Promise.all([
      newDataDir().then((dir) => startDrydock(dir)),
      newDataDir().then((dir) => startDrydock(dir)),
    ]);
    try {
      expect(a.port).not.toBe(b.port);
      const [ra, rb] = await Promise.all(
        [a, b].map((s) => fetch(`http://127.0.0.1:${s.port}/readyz`)),
      );
      expect([ra.status, rb.status]).toEqual([200, 200]);
    } finally {
      expect(await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])).toEqual([0, 0]);
    }
  }, 120_000);

  it('refuses to boot on bad configuration, naming the problem', async () => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be an integer');
  });
});
