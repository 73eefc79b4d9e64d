import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { shellQuote } from '../../src/dyno-manager/rendezvous/attached-process.js';
import { ensureRendezvousCertificate } from '../../src/dyno-manager/rendezvous/rendezvous-certificate.js';
import {
  AttachSession,
  RendezvousServer,
  startRendezvousServer,
} from '../../src/dyno-manager/rendezvous/rendezvous-server.js';
import { eventually } from '../support/eventually.js';

/**
 * `heroku run` with the real Heroku CLI against the rendezvous: a small fake of the API
 * answers the CLI's calls (its account, the app, the attached dyno with its attach_url),
 * and the rendezvous runs the command as the dyno manager would.
 */
const CLI = fileURLToPath(new URL('../heroku-cli/node_modules/heroku/bin/run.js', import.meta.url));
const PATH = '/usr/local/bin:/usr/bin:/bin';

interface DynoRequest {
  command: string;
  env: Record<string, string | number>;
  force_no_tty?: boolean;
}

interface Attached {
  request: DynoRequest;
  started: number[];
  ended: { status: number; lastErrorLine?: string }[];
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('heroku run through the rendezvous', () => {
  let rendezvous: RendezvousServer;
  let api: http.Server;
  let env: NodeJS.ProcessEnv;
  let dynoHome: string;
  const sessions = new Map<string, AttachSession>();
  const attached: Attached[] = [];
  /** When set, the API hands out this secret, which the rendezvous does not know. */
  let forgedSecret: string | undefined;

  /** As the API decides: a terminal when the CLI sent a sane size and did not decline one. */
  function terminal(request: DynoRequest): { columns: number; lines: number } | null {
    const columns = Number(request.env.COLUMNS);
    const lines = Number(request.env.LINES);
    const sane = (n: number) => Number.isInteger(n) && n > 0;
    return !request.force_no_tty && sane(columns) && sane(lines) ? { columns, lines } : null;
  }

  function createDyno(request: DynoRequest): { attach_url: string; name: string } {
    const secret = randomBytes(16).toString('hex');
    const record: Attached = { request, started: [], ended: [] };
    attached.push(record);
    const name = `run.${attached.length}`;
    const dynoEnv: Record<string, string> = { PATH, HOME: dynoHome };
    for (const [key, value] of Object.entries(request.env)) dynoEnv[key] = String(value);
    sessions.set(secret, {
      dyno: { id: name, appName: 'example', name },
      tty: terminal(request),
      prepare: async () => ({ command: request.command, cwd: dynoHome, env: dynoEnv }),
      started: (pid) => record.started.push(pid),
      ended: (result) => record.ended.push(result),
      abandon: () => undefined,
    });
    const presented = forgedSecret ?? secret;
    return { attach_url: `rendezvous://127.0.0.1:${rendezvous.port}/${presented}`, name };
  }

  function answer(request: http.IncomingMessage, body: string): [number, unknown] {
    const route = `${request.method} ${request.url}`;
    if (route === 'GET /account') return [200, { id: 'user-1', email: 'user@example.test' }];
    if (route === 'GET /apps/example')
      return [200, { name: 'example', stack: { name: 'heroku-24' } }];
    if (route === 'POST /apps/example/dynos') {
      const dyno = createDyno(JSON.parse(body) as DynoRequest);
      return [201, { ...dyno, id: dyno.name, state: 'starting', size: 'Basic', type: 'run' }];
    }
    return [404, { id: 'not_found', message: `No ${route}` }];
  }

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-cli-'));
    dynoHome = path.join(dir, 'app');
    await mkdir(dynoHome);
    const certificate = await ensureRendezvousCertificate(path.join(dir, 'certs'), []);
    rendezvous = await startRendezvousServer({
      host: '127.0.0.1',
      port: 0,
      key: certificate.key,
      cert: certificate.cert,
      authorize: async (secret) => {
        const session = sessions.get(secret) ?? null;
        sessions.delete(secret);
        return session;
      },
      logger: pino({ level: 'silent' }),
    });
    api = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const [status, json] = answer(request, body);
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(json));
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    const home = path.join(dir, 'home');
    await mkdir(path.join(home, '.cache', 'heroku'), { recursive: true });
    await writeFile(path.join(home, '.cache', 'heroku', 'terms-of-service'), '');
    env = {
      PATH: process.env.PATH ?? PATH,
      HOME: home,
      XDG_CACHE_HOME: path.join(home, '.cache'),
      HEROKU_HOST: base,
      HEROKU_PARTICLEBOARD_URL: base,
      HEROKU_API_KEY: 'test-token',
      DISABLE_TELEMETRY: 'true',
      HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
      HEROKU_DISABLE_AUTOUPDATE: 'true',
      NO_COLOR: '1',
      TZ: 'UTC',
      TERM: 'xterm-256color',
      // What a user sets once, to trust the rendezvous' CA.
      NODE_EXTRA_CA_CERTS: certificate.caFile,
    };
  });

  afterAll(async () => {
    await rendezvous.close();
    await new Promise((resolve) => api.close(resolve));
  });

  beforeEach(() => {
    forgedSecret = undefined;
  });

  /** The CLI with pipes for stdin and stdout, as in a script. */
  function heroku(args: string[], input = ''): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, cwd: env.HOME });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(input);
    });
  }

  it('runs a command and prints its output', async () => {
    const run = await heroku(['run', '-a', 'example', '--', 'echo', 'hi', 'there']);
    expect(run).toMatchObject({ code: 0, stdout: 'hi there\n' });
    const dyno = attached.at(-1)!;
    expect(dyno.request.command).toBe('echo hi there');
    // Not a terminal: the CLI's stdout is a pipe, so it sent no size.
    expect(dyno.request.env).toEqual({ TERM: 'xterm-256color' });
    expect(dyno.ended).toEqual([{ status: 0, lastErrorLine: 'hi there' }]);
  });

  it('passes the exit status through with --exit-code', async () => {
    // The CLI appends its marker to the command: `exit` would end bash before it.
    const failed = await heroku(['run', '-x', '-a', 'example', '--', 'echo out; (exit 3)']);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toBe('out\n');
    expect(failed.stderr).toContain('Process exited with code 3');

    const passed = await heroku(['run', '--exit-code', '-a', 'example', '--', 'echo', 'ok']);
    expect(passed).toMatchObject({ code: 0, stdout: 'ok\n' });
  });

  it('sends stdin to the command, and its end', async () => {
    const run = await heroku(['run', '-a', 'example', '--', 'tr a-z A-Z; echo end'], 'hello\n');
    expect(run).toMatchObject({ code: 0, stdout: 'HELLO\nend\n' });
  });

  it('shows the refusal of a secret the rendezvous does not know', async () => {
    forgedSecret = 'not-a-secret-it-knows';
    const run = await heroku(['run', '-x', '-a', 'example', '--', 'echo', 'never']);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('! Unknown or expired rendezvous secret.');
    expect(run.stdout).not.toContain('never');
  });

  describe('on a terminal', () => {
    // The CLI's own terminal adds a CR to every LF the rendezvous sends: lines end \r\r\n.
    /**
     * The CLI on a pseudo-terminal of its own (util-linux script, as a user's terminal),
     * typed at through it: it puts that terminal in raw mode and sends its size.
     */
    function interactive(args: string[]): {
      child: ChildProcess;
      screen: () => string;
      exited: Promise<number | null>;
    } {
      const cli = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
      const child = spawn(
        'script',
        ['-q', '-e', '-c', `stty rows 30 cols 100; exec ${cli}`, '/dev/null'],
        { env: { ...env, SHELL: '/bin/sh' }, cwd: env.HOME, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let screen = '';
      child.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        }),
      );
      return { child, screen: () => screen, exited };
    }

    it('gives an interactive bash of the terminal size', async () => {
      const cli = interactive(['run', '-a', 'example', '--', 'bash', '--norc']);
      const prompts = () => cli.screen().match(/bash-[\d.]+[#$] /g)?.length ?? 0;
      const type = (text: string) => cli.child.stdin!.write(text);

      await eventually(() => expect(prompts()).toBe(1), 30_000);
      type('echo $((6*7))\r');
      await eventually(() => expect(cli.screen()).toMatch(/42\r+\n/));
      type('stty size\r');
      await eventually(() => expect(cli.screen()).toMatch(/30 100\r+\n/));
      type('sleep 1000\r');
      await eventually(() => expect(cli.screen()).toMatch(/sleep 1000\r+\n/));
      type('\u0003');
      await eventually(() => expect(prompts()).toBe(4));
      type('exit\r');
      expect(await cli.exited).toBe(0);

      const dyno = attached.at(-1)!;
      expect(dyno.request.env).toEqual({ TERM: 'xterm-256color', COLUMNS: 100, LINES: 30 });
      expect(dyno.ended).toHaveLength(1);
      expect(dyno.ended[0].status).toBe(130);
    });
  });
});
