import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import { eventually } from '../../../test/support/eventually.js';
import type { TerminalSize } from './attached-process.js';
import { sessionOf } from './process-sessions.js';
import { ensureRendezvousCertificate } from './rendezvous-certificate.js';
import {
  AttachSession,
  REFUSED_LINE,
  RendezvousServer,
  startRendezvousServer,
} from './rendezvous-server.js';

const logger = pino({ level: 'silent' });
const PATH = '/usr/local/bin:/usr/bin:/bin';
const MARKER = '\uFFFF heroku-command-exit-status:';

interface Recorded {
  session: AttachSession;
  prepared: number;
  started: number[];
  ended: { status: number; lastErrorLine?: string }[];
  abandoned: string[];
}

interface Launch {
  command: string;
  env?: Record<string, string>;
  cwd?: string;
  tty?: TerminalSize | null;
  prepare?: () => Promise<void>;
}

let counter = 0;

/** A session as the manager would hand it over, recording what the rendezvous tells it. */
function attachSession(launch: Launch): Recorded {
  const id = `dyno-${++counter}`;
  const recorded: Recorded = {
    prepared: 0,
    started: [],
    ended: [],
    abandoned: [],
    session: {
      dyno: { id, appName: 'example', name: `run.${counter}` },
      tty: launch.tty ?? null,
      prepare: async () => {
        recorded.prepared++;
        await launch.prepare?.();
        return {
          command: launch.command,
          cwd: launch.cwd ?? os.tmpdir(),
          env: launch.env ?? { PATH },
        };
      },
      started: (pid) => recorded.started.push(pid),
      ended: (result) => recorded.ended.push(result),
      abandon: (reason) => recorded.abandoned.push(reason),
    },
  };
  return recorded;
}

/** A client as the Heroku CLI is one: verifies the certificate, sends `<secret>\r\n`. */
class Client {
  data = '';
  closed = false;
  private constructor(readonly socket: tls.TLSSocket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.data += chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static async connect(port: number, ca: string, firstWrite?: string): Promise<Client> {
    const socket = tls.connect({ port, host: '127.0.0.1', ca });
    const client = new Client(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    if (firstWrite !== undefined) socket.write(firstWrite);
    return client;
  }

  /** What the process wrote: everything after the line the CLI discards. */
  get output(): string {
    expect(this.data.startsWith('\r\n')).toBe(true);
    return this.data.slice(2);
  }

  waitFor(text: string, timeoutMs = 10_000): Promise<void> {
    return eventually(() => {
      if (!this.data.includes(text)) throw new Error(`no ${JSON.stringify(text)} in ${this.data}`);
    }, timeoutMs);
  }

  waitForMatch(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return eventually(() => {
      const match = pattern.exec(this.data);
      if (!match) throw new Error(`no ${String(pattern)} in ${this.data}`);
      return match;
    }, timeoutMs);
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return eventually(() => expect(this.closed).toBe(true), timeoutMs);
  }
}

/** Running, that is: neither gone nor a zombie waiting for whoever adopted it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

describe('the rendezvous', () => {
  let ca: string;
  let key: string;
  let cert: string;
  let server: RendezvousServer;
  const sessions = new Map<string, AttachSession>();
  const authorize = async (secret: string) => sessions.get(secret) ?? null;

  /** Registers a session under a new secret and attaches a client to it. */
  async function attach(launch: Launch, input = ''): Promise<{ client: Client } & Recorded> {
    const recorded = attachSession(launch);
    const secret = `secret${counter}`;
    sessions.set(secret, recorded.session);
    const client = await Client.connect(server.port, ca, `${secret}\r\n${input}`);
    return Object.assign(recorded, { client });
  }

  async function ended(recorded: Recorded): Promise<{ status: number; lastErrorLine?: string }> {
    return eventually(() => {
      expect(recorded.ended).toHaveLength(1);
      return recorded.ended[0];
    }, 15_000);
  }

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-'));
    ({ key, cert } = await ensureRendezvousCertificate(dir, []));
    ca = await readFile(path.join(dir, 'rendezvous-ca.pem'), 'utf8');
    server = await startRendezvousServer({
      host: '127.0.0.1',
      port: 0,
      key,
      cert,
      authorize,
      logger,
      hangUpGraceMs: 300,
    });
  });

  afterAll(() => server.close());

  describe('without a terminal', () => {
    it('runs the command and ends the connection with its exit status reported', async () => {
      const run = await attach({ command: 'echo hi; exit 3' });
      await run.client.waitClosed();
      expect(run.client.output).toBe('hi\n');
      expect(await ended(run)).toEqual({ status: 3, lastErrorLine: 'hi' });
      expect(run.started).toHaveLength(1);
      expect(run.abandoned).toEqual([]);
    });

    it('passes the --exit-code marker through, with stderr in order with stdout', async () => {
      const run = await attach({
        command: `echo out; echo oops >&2; false ; echo "${MARKER} $?"`,
      });
      await run.client.waitClosed();
      expect(run.client.output).toBe(`out\noops\n${MARKER} 1\n`);
      expect(await ended(run)).toEqual({ status: 0, lastErrorLine: 'oops' });
    });

    it('feeds the client input to stdin until EOT', async () => {
      const run = await attach({ command: 'cat; echo done' });
      await eventually(() => expect(run.started).toHaveLength(1));
      run.client.socket.write('line one\n');
      await run.client.waitFor('line one\n');
      run.client.socket.write('line two\u0004ignored');
      await run.client.waitClosed();
      expect(run.client.output).toBe('line one\nline two' + 'done\n');
      expect((await ended(run)).status).toBe(0);
    });

    it('keeps input sent with the secret line', async () => {
      const run = await attach({ command: 'tr a-z A-Z' }, 'early\u0004');
      await run.client.waitClosed();
      expect(run.client.output).toBe('EARLY');
    });

    it('is not a terminal', async () => {
      const run = await attach({ command: 'test -t 0 || echo "not a tty"' });
      await run.client.waitClosed();
      expect(run.client.output).toBe('not a tty\n');
    });

    it('writes every byte of a large output', async () => {
      const run = await attach({ command: "head -c 3000000 /dev/zero | tr '\\0' a" });
      await run.client.waitClosed(30_000);
      expect(run.client.output).toHaveLength(3_000_000);
      expect((await ended(run)).status).toBe(0);
    });
  });

  describe('with a terminal', () => {
    const tty = { columns: 111, lines: 33 };

    it('runs on a pseudo-terminal of the client size', async () => {
      const run = await attach({ command: 'stty size; tty; exit 4', tty });
      await run.client.waitClosed();
      expect(run.client.output).toMatch(/^33 111\r\n\/dev\/pts\/\d+\r\n$/);
      expect((await ended(run)).status).toBe(4);
    });

    it('gives an interactive bash: prompt, typed lines, Ctrl-C to the foreground job', async () => {
      const home = await mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-home-'));
      const run = await attach({ command: 'bash --norc', env: { PATH, HOME: home }, tty });
      // bash's own prompt: the non-interactive bash -c before it drops an inherited PS1.
      const prompts = () => run.client.data.match(/bash-[\d.]+[#$] /g)?.length ?? 0;
      await eventually(() => expect(prompts()).toBe(1));
      run.client.socket.write('echo $((6*7))\r');
      await run.client.waitFor('42\r\n');
      await eventually(() => expect(prompts()).toBe(2));
      run.client.socket.write('sleep 1000\r');
      await run.client.waitFor('sleep 1000\r\n');
      run.client.socket.write('\u0003');
      await eventually(() => expect(prompts()).toBe(3));
      run.client.socket.write('echo "interrupted $?"\r');
      await run.client.waitFor('interrupted 130\r\n');
      run.client.socket.write('exit 7\r');
      await run.client.waitClosed();
      expect((await ended(run)).status).toBe(7);
    });
  });

  describe('the environment', () => {
    const names = (output: string) =>
      output
        .split(/\r?\n/)
        .filter(Boolean)
        .map((line) => line.slice(0, line.indexOf('=')))
        .sort();

    beforeAll(() => (process.env.DRYDOCK_PARENT_ONLY = 'manager secret'));
    afterAll(() => delete process.env.DRYDOCK_PARENT_ONLY);

    it.each([
      ['pipes', null],
      ['a terminal', { columns: 80, lines: 24 }],
    ])('is exactly the one given (plus TERM) on %s', async (_name, tty) => {
      const run = await attach({ command: 'env', env: { PATH, ONLY_CHILD: 'child' }, tty });
      await run.client.waitClosed();
      // PWD, SHLVL and _ are bash's own, as in any bash -c.
      expect(names(run.client.output)).toEqual(
        ['ONLY_CHILD', 'PATH', 'PWD', 'SHLVL', 'TERM', '_'].sort(),
      );
      expect(run.client.output).toContain('ONLY_CHILD=child');
      expect(run.client.output).toContain(tty ? 'TERM=xterm-256color' : 'TERM=dumb');
    });

    it('keeps the dyno SHELL under the pseudo-terminal', async () => {
      const run = await attach({
        command: 'echo "shell=$SHELL term=$TERM"',
        env: { PATH, SHELL: "/bin/it's", TERM: 'screen' },
        tty: { columns: 80, lines: 24 },
      });
      await run.client.waitClosed();
      expect(run.client.output).toBe("shell=/bin/it's term=screen\r\n");
    });
  });

  describe('processes', () => {
    it.each([
      ['pipes', null],
      ['a terminal', { columns: 80, lines: 24 }],
    ])('lead their own session and group on %s', async (_name, tty) => {
      const run = await attach({ command: 'echo "bash=$$"; read line', tty });
      await eventually(() => expect(run.started).toHaveLength(1));
      const [pid] = run.started;
      const bash = Number((await run.client.waitForMatch(/bash=(\d+)\r?\n/))[1]);
      expect(sessionOf(pid)).toBe(pid);
      // Under a terminal, bash leads the session the pseudo-terminal's child opened.
      expect(sessionOf(bash)).toBe(tty ? bash : pid);
      run.client.socket.write('\n');
      await run.client.waitClosed();
    });

    it.each([
      ['pipes', null],
      ['a terminal', { columns: 80, lines: 24 }],
    ])('end with SIGHUP when the client goes away, on %s', async (_name, tty) => {
      const run = await attach({ command: 'sleep 1000 & echo "pid=$!"; wait', tty });
      const sleeper = Number((await run.client.waitForMatch(/pid=(\d+)\r?\n/))[1]);
      expect(alive(sleeper)).toBe(true);
      run.client.socket.destroy();
      expect((await ended(run)).status).toBe(129);
      await eventually(() => expect(alive(sleeper)).toBe(false));
    });

    it('end when a client that stopped reading goes away', async () => {
      const run = await attach({ command: 'echo start; head -c 50000000 /dev/zero' });
      await run.client.waitFor('start');
      run.client.socket.pause();
      await eventually(() => expect(run.started).toHaveLength(1));
      run.client.socket.destroy();
      expect(await ended(run)).toMatchObject({ status: expect.any(Number) });
    });

    it('are killed when they ignore the hang-up', async () => {
      const run = await attach({ command: 'trap "" HUP; echo ready; sleep 1000; echo never' });
      await run.client.waitFor('ready\n');
      run.client.socket.destroy();
      expect((await ended(run)).status).toBe(137);
    });

    it('that cannot start are abandoned, and the client told why', async () => {
      const run = await attach({ command: 'true', cwd: '/nonexistent/dir' });
      await run.client.waitClosed();
      expect(run.client.output).toMatch(/^! Failed to start the process: .*ENOENT\r\n$/);
      expect(run.started).toEqual([]);
      expect(run.abandoned).toHaveLength(1);
      expect(run.abandoned[0]).toMatch(/^Failed to start the process: /);
    });
    it('that spawn refuses outright are abandoned too', async () => {
      const run = await attach({ command: 'echo a\u0000b' });
      await run.client.waitClosed();
      expect(run.client.output).toMatch(/^! Failed to start the process: .*null bytes/);
      expect(run.started).toEqual([]);
      expect(run.abandoned).toHaveLength(1);
    });
  });

  describe('secrets', () => {
    it('refuses an unknown secret, in a line the CLI shows', async () => {
      const client = await Client.connect(server.port, ca, 'nosuchsecret\r\n');
      await client.waitClosed();
      expect(client.data).toBe(`\r\n${REFUSED_LINE}`);
    });

    it('refuses a second connection for the same session', async () => {
      const first = await attach({ command: 'echo once' });
      await first.client.waitClosed();
      expect(first.client.output).toBe('once\n');
      sessions.set('replayed', first.session);
      const second = await Client.connect(server.port, ca, 'replayed\r\n');
      await second.waitClosed();
      expect(second.data).toBe(`\r\n${REFUSED_LINE}`);
      expect(first.prepared).toBe(1);
    });

    it('drops a line longer than a secret', async () => {
      const client = await Client.connect(server.port, ca, 'a'.repeat(300));
      await client.waitClosed();
      expect(client.data).toBe('');
    });

    it('tells the client when the dyno cannot be prepared', async () => {
      const run = await attach({
        command: 'true',
        prepare: () => Promise.reject(new Error('Failed to download the slug')),
      });
      await run.client.waitClosed();
      expect(run.client.data).toBe('\r\n! Failed to download the slug\r\n');
      expect([run.started, run.ended, run.abandoned]).toEqual([[], [], []]);
    });

    it('does not keep other clients waiting behind a silent one', async () => {
      const silent = await Client.connect(server.port, ca);
      const run = await attach({ command: 'echo meanwhile' });
      await run.client.waitClosed();
      expect(run.client.output).toBe('meanwhile\n');
      expect(silent.closed).toBe(false);
      silent.socket.destroy();
    });
  });
});

describe('a rendezvous with a short secret timeout', () => {
  it('drops a client that sends no line in time, and drops pending ones on close', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-'));
    const { key, cert, caFile } = await ensureRendezvousCertificate(dir, []);
    const ca = await readFile(caFile, 'utf8');
    let asked = 0;
    const authorize = async () => {
      asked++;
      return null;
    };
    const server = await startRendezvousServer({
      host: '127.0.0.1',
      port: 0,
      key,
      cert,
      authorize,
      logger,
      secretTimeoutMs: 200,
    });
    try {
      const silent = await Client.connect(server.port, ca, 'no newline');
      await silent.waitClosed();
      expect(silent.data).toBe('');
      expect(asked).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('closing the rendezvous', () => {
  it('hangs up attached clients, and abandons a session still being prepared', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rendezvous-'));
    const { key, cert, caFile } = await ensureRendezvousCertificate(dir, []);
    const ca = await readFile(caFile, 'utf8');
    let release: () => void = () => undefined;
    const running = attachSession({ command: 'echo ready; sleep 1000' });
    const preparing = attachSession({
      command: 'echo never',
      prepare: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const server = await startRendezvousServer({
      host: '127.0.0.1',
      port: 0,
      key,
      cert,
      logger,
      authorize: async (secret) =>
        ({ running: running.session, preparing: preparing.session })[secret] ?? null,
    });
    const first = await Client.connect(server.port, ca, 'running\r\n');
    await first.waitFor('ready\n');
    const second = await Client.connect(server.port, ca, 'preparing\r\n');
    await eventually(() => expect(preparing.prepared).toBe(1));

    const closed = server.close();
    release();
    await closed;
    expect(running.ended).toEqual([{ status: 129, lastErrorLine: 'ready' }]);
    expect(preparing.abandoned).toEqual(['The dyno manager is stopping']);
    await first.waitClosed();
    await second.waitClosed();
    expect(second.data).toBe('\r\n! The dyno manager is stopping\r\n');
  });
});
