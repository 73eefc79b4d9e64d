import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { eventually } from '../support/eventually.js';

/**
 * A dyno manager that dies, even of SIGKILL, takes its attached processes with it: the
 * kernel kills them (setpriv --pdeathsig), and under a pseudo-terminal the terminal's
 * hang-up ends what the shell started. The manager here is a node process holding the
 * built rendezvous (`npm test` builds dist/ first), so that the test can kill it.
 */
const DIST = path.resolve('dist/dyno-manager/rendezvous');
const MANAGER = `
  const { ensureRendezvousCertificate } = await import(${JSON.stringify(pathToFileURL(path.join(DIST, 'rendezvous-certificate.js')).href)});
  const { startRendezvousServer } = await import(${JSON.stringify(pathToFileURL(path.join(DIST, 'rendezvous-server.js')).href)});
  const dir = process.env.RENDEZVOUS_DIR;
  const { key, cert } = await ensureRendezvousCertificate(dir, []);
  const quiet = () => undefined;
  const server = await startRendezvousServer({
    host: '127.0.0.1', port: 0, key, cert,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    authorize: async (secret) => ({
      dyno: { id: secret, appName: 'example', name: 'run.1' },
      tty: secret === 'tty' ? { columns: 80, lines: 24 } : null,
      prepare: async () => ({
        command: 'echo "bash=$$"; sleep 1000 & echo "sleep=$!"; wait',
        cwd: dir,
        env: { PATH: '/usr/bin:/bin' },
      }),
      started: quiet, ended: quiet, abandon: quiet,
    }),
  });
  process.stdout.write(server.port + '\\n');
`;

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

describe('an attached process when the dyno manager dies', () => {
  let manager: ChildProcess | undefined;
  const leftovers: number[] = [];

  afterEach(() => {
    if (manager?.exitCode === null && manager.signalCode === null) manager.kill('SIGKILL');
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
  });

  /** Starts the manager, attaches a client with `secret`, and reads bash's and sleep's pids. */
  async function attachToManager(secret: string): Promise<{ bash: number; sleep: number }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-death-'));
    const child = spawn(process.execPath, ['--input-type=module', '-e', MANAGER], {
      env: { PATH: process.env.PATH, RENDEZVOUS_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    manager = child;
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString())));
      child.once('exit', (code) => reject(new Error(`the manager exited with ${code}`)));
    });
    const ca = await readFile(path.join(dir, 'rendezvous-ca.pem'), 'utf8');
    const socket = tls.connect({ port, host: '127.0.0.1', ca });
    socket.on('error', () => undefined);
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.once('secureConnect', () => socket.write(`${secret}\r\n`));
    const pids = await eventually(() => {
      const bash = /bash=(\d+)\r?\n/.exec(data);
      const sleep = /sleep=(\d+)\r?\n/.exec(data);
      if (!bash || !sleep) throw new Error(`no pids in ${JSON.stringify(data)}`);
      return { bash: Number(bash[1]), sleep: Number(sleep[1]) };
    }, 15_000);
    leftovers.push(pids.bash, pids.sleep);
    expect(running(pids.bash)).toBe(true);
    return pids;
  }

  it('is killed on pipes', async () => {
    const { bash } = await attachToManager('pipes');
    manager!.kill('SIGKILL');
    await eventually(() => expect(running(bash)).toBe(false));
  });

  it('is killed with what it started under a pseudo-terminal', async () => {
    const { bash, sleep } = await attachToManager('tty');
    expect(running(sleep)).toBe(true);
    manager!.kill('SIGKILL');
    await eventually(() => expect([running(bash), running(sleep)]).toEqual([false, false]));
  });
});
