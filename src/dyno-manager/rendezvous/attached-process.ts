import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { signalSession } from './process-sessions.js';

/** The client's terminal, in character cells. */
export interface TerminalSize {
  columns: number;
  lines: number;
}

/** What an attached one-off dyno runs, and how. */
export interface AttachedLaunch {
  /** Run by bash, as Heroku runs a dyno's command. */
  command: string;
  cwd: string;
  /** Exactly the environment the command gets (TERM is added when it is missing). */
  env: Record<string, string>;
  /** A pseudo-terminal of this size (`heroku run` on a terminal), or plain pipes. */
  tty: TerminalSize | null;
}

/** How an attached process ended. */
export type AttachedEnd =
  | {
      kind: 'exited';
      /** The exit code, or 128 + the signal's number when a signal ended it (as shells say). */
      status: number;
      /** The last line of its output, without terminal escapes, at most 1,000 characters. */
      lastOutputLine: string | undefined;
    }
  | { kind: 'failed'; error: string };

export interface AttachedProcessOptions {
  /** After the client hung up, how long the process has to end before it is killed. */
  hangUpGraceMs?: number;
}

/** The CLI ends a piped stdin with EOT (Ctrl-D), as there is no half-close in its protocol. */
const END_OF_INPUT = 0x04;
const DEFAULT_HANG_UP_GRACE_MS = 10_000;
/** After the process ended, how long a pipe held open by a runaway may stay silent. */
const OUTPUT_CLOSE_WAIT_MS = 2000;
const OUTPUT_TAIL_CHARS = 4096;
const LINE_LIMIT = 1000;
const DEFAULT_SIZE: TerminalSize = { columns: 80, lines: 24 };
/** What `heroku run --exit-code` appends to the command's output. */
const EXIT_STATUS_MARKER = /\uFFFF heroku-command-exit-status: \d+/g;

const live = new Set<AttachedProcess>();
let exitHookInstalled = false;

/**
 * Runs an attached one-off dyno's command with its stdin and stdout bridged to the client's
 * connection, and ends the connection once the command ended and its output is written.
 *
 * With a terminal the command runs on a pseudo-terminal made by util-linux `script`, rather
 * than by the native `node-pty`: `script` is on every Debian system (bsdutils is Essential,
 * in the slim image too), so `npm ci` builds nothing and needs no compiler; the CLI never
 * resizes a session, which is what `node-pty` would add. `script` takes its size from its own
 * stdin, a pipe here, so a small sh wrapper sets the terminal's size with `stty` first.
 *
 * Every process leads a new session (`detached`; under `script`, the session its child
 * opens), runs under `setpriv --pdeathsig SIGKILL` so that the kernel kills it if the
 * manager dies, and gets only the environment given, never the manager's (its token).
 */
export class AttachedProcess {
  /** The process the manager records and stops: the dyno's process group leader. */
  readonly pid: number | undefined;
  /** Resolves once, when the process ended (or could not start) and the client was closed. */
  readonly end: Promise<AttachedEnd>;
  /** Under a pseudo-terminal: the session leader `script`'s child opened (bash). */
  private innerPid: number | undefined;
  private exited = false;
  private hungUp = false;
  private killTimer: NodeJS.Timeout | undefined;
  private tail = '';

  private constructor(
    /** Or the error spawn threw when it could not even try (a NUL byte in an argument, say). */
    private readonly child: ChildProcess | Error,
    private readonly client: Socket,
    private readonly tty: boolean,
    private readonly hangUpGraceMs: number,
  ) {
    this.pid = child instanceof Error ? undefined : child.pid;
    this.end = new Promise<AttachedEnd>((resolve) => this.follow(resolve));
  }

  /**
   * Starts `launch` bridged to `client`, which should be paused with any input already read
   * past the secret line pushed back (`unshift`): it is resumed here.
   */
  static start(
    launch: AttachedLaunch,
    client: Socket,
    options: AttachedProcessOptions = {},
  ): AttachedProcess {
    const [file, args, env] = launch.tty
      ? terminalArgv(launch.command, launch.env, launch.tty)
      : pipeArgv(launch.command, launch.env);
    let child: ChildProcess | Error;
    try {
      child = spawn(file, args, {
        cwd: launch.cwd,
        env,
        detached: true,
        stdio: launch.tty ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      child = error instanceof Error ? error : new Error(String(error));
    }
    const attached = new AttachedProcess(
      child,
      client,
      launch.tty !== null,
      options.hangUpGraceMs ?? DEFAULT_HANG_UP_GRACE_MS,
    );
    if (attached.pid !== undefined) {
      live.add(attached);
      installExitHook();
    }
    return attached;
  }

  /**
   * The client went away: SIGHUP to the command's session, as a terminal hanging up does,
   * then SIGKILL to whatever is left after the grace period.
   */
  hangUp(): void {
    if (this.hungUp || this.exited || this.pid === undefined) return;
    this.hungUp = true;
    if (this.innerPid !== undefined) signalSession(this.innerPid, 'SIGHUP');
    // Before its child said who it is, `script` passes SIGTERM on to it (it ignores SIGHUP).
    else signalSession(this.pid, this.tty ? 'SIGTERM' : 'SIGHUP');
    this.killTimer = setTimeout(() => this.kill(), this.hangUpGraceMs);
  }

  /** SIGKILL to every process of the dyno's sessions. */
  kill(): void {
    if (this.pid === undefined) return;
    signalSession(this.pid, 'SIGKILL');
    if (this.innerPid !== undefined) signalSession(this.innerPid, 'SIGKILL');
  }

  private follow(resolve: (end: AttachedEnd) => void): void {
    const { child, client } = this;
    const fail = (error: Error) => {
      const message = `Failed to start the process: ${error.message}`;
      endClient(client, `! ${message}\r\n`);
      resolve({ kind: 'failed', error: message });
    };
    if (child instanceof Error) return fail(child);
    child.once('error', (error) => {
      // A process that never started emits only 'error'; one that did still emits 'exit'.
      if (child.pid === undefined) fail(error);
    });
    if (child.pid === undefined) return;

    child.stdio[3]?.on('data', (chunk: Buffer) => {
      const pid = Number.parseInt(chunk.toString('utf8'), 10);
      if (this.innerPid === undefined && Number.isInteger(pid) && pid > 0) {
        this.innerPid = pid;
        // A hang-up that came before the pid went to `script`; say it to bash's session too.
        if (this.hungUp && !this.exited) signalSession(pid, 'SIGHUP');
      }
    });
    const outputs = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
    for (const output of outputs) this.forward(output);
    this.bridgeInput();

    child.once('exit', (code, signal) => {
      this.exited = true;
      clearTimeout(this.killTimer);
      live.delete(this);
      const status = exitStatus(code, signal);
      // The dyno ends with its command: nothing it started outlives it.
      this.kill();
      child.stdio[3]?.destroy();
      void Promise.all(outputs.map(closed)).then(() => {
        endClient(client);
        resolve({ kind: 'exited', status, lastOutputLine: lastOutputLine(this.tail) });
      });
    });
  }

  private forward(output: Readable): void {
    const { client } = this;
    output.on('data', (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      // A client that is gone gets nothing; reading on keeps the command from blocking.
      if (client.destroyed || client.writableEnded) return;
      if (!client.write(chunk)) {
        output.pause();
        client.once('drain', () => output.resume());
      }
    });
    // No 'drain' comes from a connection that closed: read on, so that the pipe can close.
    client.once('close', () => output.resume());
  }

  private bridgeInput(): void {
    const { client } = this;
    const stdin = (this.child as ChildProcess).stdin!;
    // Writes after the command closed its stdin fail with EPIPE: that input had no reader.
    stdin.on('error', () => undefined);
    let inputOpen = true;
    client.on('data', (chunk: Buffer) => {
      if (!inputOpen) return;
      // On a terminal, Ctrl-D is the terminal's to interpret; on pipes it is the end of input.
      const eot = this.tty ? -1 : chunk.indexOf(END_OF_INPUT);
      if (eot !== -1) {
        inputOpen = false;
        stdin.end(chunk.subarray(0, eot));
        return;
      }
      if (!stdin.write(chunk)) {
        client.pause();
        stdin.once('drain', () => client.resume());
      }
    });
    client.on('close', () => {
      inputOpen = false;
      stdin.end();
      this.hangUp();
    });
    client.on('error', () => undefined);
    client.resume();
  }
}

/** How long an ended connection may wait for the client to close its side. */
const LINGER_MS = 30_000;

/**
 * Ends the connection, then destroys it if the client keeps its side open and silent: the
 * CLI closes at once, a client that does not must not hold the socket forever.
 */
export function endClient(client: Socket, last?: string): void {
  if (client.destroyed) return;
  if (last === undefined) client.end();
  else client.end(last);
  // Input nobody reads any more is drained, so that closing does not reset the connection.
  client.resume();
  client.setTimeout(LINGER_MS, () => client.destroy());
}

/**
 * Pipes: stderr joins stdout so that the client reads both in the order they were written.
 * Node's stdio pipes are socket pairs, and Debian's bash sources ~/.bashrc when its stdin is
 * a socket (as under rshd): `--norc` keeps it to the command, as with any other stdin.
 */
function pipeArgv(
  command: string,
  env: Record<string, string>,
): [string, string[], Record<string, string>] {
  return [
    tool('setpriv'),
    [
      '--pdeathsig',
      'SIGKILL',
      '--',
      tool('sh'),
      '-c',
      'exec "$@" 2>&1',
      'sh',
      '/bin/bash',
      '--norc',
      '-c',
      command,
    ],
    { ...env, TERM: env.TERM ?? 'dumb' },
  ];
}

/**
 * A pseudo-terminal: `script` runs the wrapper with $SHELL, so SHELL is /bin/sh for it and
 * put back as the dyno had it before bash starts. The wrapper tells its pid (bash's, after
 * `exec`) on fd 3, closed before the command runs.
 */
function terminalArgv(
  command: string,
  env: Record<string, string>,
  size: TerminalSize,
): [string, string[], Record<string, string>] {
  const { columns, lines } = saneSize(size);
  const shell = env.SHELL === undefined ? 'unset SHELL' : `export SHELL=${shellQuote(env.SHELL)}`;
  const wrapper = [
    'echo $$ >&3',
    'exec 3>&-',
    `${tool('stty')} rows ${lines} cols ${columns} 2>/dev/null`,
    shell,
    `exec ${tool('setpriv')} --pdeathsig SIGKILL -- /bin/bash -c ${shellQuote(command)}`,
  ].join('; ');
  return [
    tool('setpriv'),
    [
      '--pdeathsig',
      'SIGKILL',
      '--',
      tool('script'),
      '--quiet',
      '--return',
      '--flush',
      // The client's terminal is raw: what is typed shows only if the pseudo-terminal echoes.
      '--echo',
      'always',
      '--command',
      wrapper,
      '/dev/null',
    ],
    { ...env, TERM: env.TERM ?? 'xterm-256color', SHELL: '/bin/sh' },
  ];
}

function saneSize(size: TerminalSize): TerminalSize {
  const sane = (n: number) => Number.isInteger(n) && n > 0 && n <= 10_000;
  return sane(size.columns) && sane(size.lines) ? size : DEFAULT_SIZE;
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Tools by absolute path: the dyno's PATH is its own and may not hold them. */
function tool(name: string): string {
  for (const dir of ['/usr/bin', '/bin']) {
    const file = `${dir}/${name}`;
    try {
      accessSync(file, fsConstants.X_OK);
      return file;
    } catch {
      // Try the next directory.
    }
  }
  return name;
}

/** 128 + n for a signal, as bash reports a command killed by signal n. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? osConstants.signals[signal] : undefined;
  return 128 + (number ?? 0);
}

/** The last non-blank line of output, without terminal escapes or the exit status marker. */
export function lastOutputLine(tail: string): string | undefined {
  const text = tail
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g, '')
    .replace(EXIT_STATUS_MARKER, '');
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line) return line.length > LINE_LIMIT ? line.slice(0, LINE_LIMIT) : line;
  }
  return undefined;
}

/**
 * Resolves when `output` closed. Once the dyno's processes are killed that is at once, unless
 * a process that left its session holds the pipe: then after a while without output. The
 * wait does not run while a slow client holds the output back, so no output is cut short.
 */
function closed(output: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (output.closed) return resolve();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => output.destroy(), OUTPUT_CLOSE_WAIT_MS);
    };
    output.on('data', arm);
    output.on('resume', arm);
    output.on('pause', () => clearTimeout(timer));
    output.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (!output.isPaused()) arm();
  });
}

/** The manager exiting takes its attached processes with it, whatever their SIGHUP handling. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const attached of live) attached.kill();
  });
}
