import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../heroku-cli/node_modules/heroku/bin/run.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** What it printed so far. */
  stdout(): string;
  /** Stops it (SIGINT, as Ctrl-C) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface HerokuCli {
  run(...args: string[]): Promise<CliResult>;
  /** Starts a command that runs until stopped, such as `logs --tail`. */
  start(...args: string[]): RunningCli;
}

/**
 * The real Heroku CLI (test/heroku-cli, installed by `npm test`) pointed at a drydock on
 * loopback, with a throwaway HOME and working directory (it writes ~/.gitconfig and git
 * remotes) and everything that would call out to Heroku turned off.
 */
export async function herokuCli(port: number, token: string): Promise<HerokuCli> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'drydock-cli-home-'));
  await mkdir(path.join(home, '.cache', 'heroku'), { recursive: true });
  await writeFile(path.join(home, '.cache', 'heroku', 'terms-of-service'), '');
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    HEROKU_HOST: base,
    HEROKU_PARTICLEBOARD_URL: base,
    HEROKU_API_KEY: token,
    DISABLE_TELEMETRY: 'true',
    HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
    HEROKU_DISABLE_AUTOUPDATE: 'true',
    NO_COLOR: '1',
    TZ: 'UTC',
  };
  return {
    run: (...args) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [CLI, ...args],
          { env, cwd: home, timeout: 60_000 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      }),
    start: (...args) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, cwd: home });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        child,
        stdout: () => stdout,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          await exited;
        },
      };
    },
  };
}
