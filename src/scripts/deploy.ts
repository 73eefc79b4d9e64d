import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { create } from 'tar';
import { request } from 'undici';

/** Heroku's process type rule, as the API applies it. */
const PROCESS_TYPE = /^[-\w]{1,128}$/;
const USAGE = 'usage: npm run deploy -- <dir> --app <app>';

/** A deploy that cannot go on; its message is printed as it is. */
export class DeployError extends Error {}

/** The Procfile's `type: command` lines; blank lines and # comments are skipped. */
export function parseProcfile(text: string): Record<string, string> {
  const processTypes: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const match = /^([^:\s]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!match || !match[2]) {
      throw new DeployError(`Procfile line ${index + 1} is not "type: command": ${line.trim()}`);
    }
    const [, type, command] = match;
    if (!PROCESS_TYPE.test(type)) {
      throw new DeployError(
        `Procfile line ${index + 1}: "${type}" is not a process type (letters, digits, - and _).`,
      );
    }
    if (type in processTypes) throw new DeployError(`Procfile names ${type} twice.`);
    processTypes[type] = command;
  });
  if (!Object.keys(processTypes).length) throw new DeployError('The Procfile names no process.');
  return processTypes;
}

export interface DeployOptions {
  /** As given, for messages. */
  dir: string;
  /** Where it is: relative to where `npm run` was started (INIT_CWD), not to the package. */
  path: string;
  app: string;
  apiUrl: string;
  token: string;
}

/** `<dir> --app <app>` (or `-a`, `--app=`), with the API and token from the environment. */
export function parseDeployArgs(argv: string[], env: NodeJS.ProcessEnv): DeployOptions {
  let dir: string | undefined;
  let app: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--app' || arg === '-a') app = argv[++i];
    else if (arg.startsWith('--app=')) app = arg.slice('--app='.length);
    else if (arg.startsWith('-')) throw new DeployError(`Unknown option ${arg}. ${USAGE}`);
    else if (dir === undefined) dir = arg;
    else throw new DeployError(`One directory only. ${USAGE}`);
  }
  if (!dir) throw new DeployError(`Which directory? ${USAGE}`);
  if (!app) throw new DeployError(`Which app? ${USAGE}`);
  const token = env.HEROKU_API_KEY || env.DRYDOCK_ADMIN_TOKEN;
  if (!token) {
    throw new DeployError(
      'Set HEROKU_API_KEY (or DRYDOCK_ADMIN_TOKEN) to a token that may deploy the app.',
    );
  }
  return {
    dir,
    path: path.resolve(env.INIT_CWD || process.cwd(), dir),
    app,
    apiUrl: apiUrlFrom(env),
    token,
  };
}

/** DRYDOCK_URL, else HEROKU_HOST (a URL, or a host name served over https), else local. */
export function apiUrlFrom(env: NodeJS.ProcessEnv): string {
  const raw = env.DRYDOCK_URL || env.HEROKU_HOST || 'http://127.0.0.1:3000';
  const url = /^https?:\/\//i.test(raw) ? raw : `https://${raw}`;
  return url.replace(/\/+$/, '');
}

/** Packs, uploads and releases `dir`, printing a line per step; the version released. */
export async function deploy(
  options: DeployOptions,
  print: (line: string) => void,
): Promise<number> {
  const dir = options.path;
  const procfile = await readFile(path.join(dir, 'Procfile'), 'utf8').catch(() => {
    throw new DeployError(`${options.dir} has no Procfile: add one with "web: <command>" lines.`);
  });
  const processTypes = parseProcfile(procfile);
  const work = await mkdtemp(path.join(tmpdir(), 'drydock-deploy-'));
  try {
    const archive = path.join(work, 'slug.tgz');
    const files = await pack(dir, archive);
    const { size } = await stat(archive);
    const sha256 = await sha256Of(archive);
    print(
      `Packed ${options.dir}: ${files} entries, ${size} bytes (${Object.keys(processTypes).join(', ')})`,
    );

    const commit = await git(dir, ['rev-parse', 'HEAD']);
    const api = new Api(options.apiUrl, options.token);
    const app = encodeURIComponent(options.app);
    const slug = await api.json<{ id: string; blob: { url: string } }>(
      'POST',
      `/apps/${app}/slugs`,
      {
        process_types: processTypes,
        commit,
        commit_description: commit ? await git(dir, ['log', '-1', '--format=%s']) : null,
        checksum: `SHA256:${sha256}`,
      },
    );
    print(`Created slug ${slug.id}${commit ? ` of ${commit.slice(0, 7)}` : ''}`);

    await api.upload(slug.blob.url, archive, size);
    print(`Uploaded the archive to ${new URL(slug.blob.url).host}`);

    const release = await api.json<{ version: number }>('POST', `/apps/${app}/releases`, {
      slug: slug.id,
    });
    print(`Released v${release.version} of ${options.app}`);
    return release.version;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A gzipped tarball of `dir` as Heroku's slugs are: every entry under `./app`, no `.git`. */
async function pack(dir: string, file: string): Promise<number> {
  let entries = 0;
  await create(
    {
      gzip: true,
      cwd: dir,
      file,
      prefix: './app',
      portable: true,
      filter: (entry) => {
        const keep = !entry.split('/').includes('.git');
        if (keep) entries++;
        return keep;
      },
    },
    ['.'],
  );
  return entries;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A git command's output in `dir`, or null when `dir` is not in a repository (or has no git). */
async function git(dir: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', args, { cwd: dir });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async json<T>(method: 'POST', pathname: string, body: unknown): Promise<T> {
    const response = await this.send(`${this.baseUrl}${pathname}`, {
      method,
      headers: {
        Accept: 'application/vnd.heroku+json; version=3',
        Authorization: `Bearer ${this.token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return JSON.parse(response) as T;
  }

  /** The blob URL is its own credential: no Authorization, as for S3. */
  async upload(url: string, file: string, size: number): Promise<void> {
    await this.send(url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/gzip', 'Content-Length': String(size) },
      body: createReadStream(file),
    });
  }

  private async send(url: string, options: Parameters<typeof request>[1]): Promise<string> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, options);
    } catch (error) {
      throw new DeployError(`Cannot reach ${new URL(url).origin}: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      let message = `${response.statusCode} from ${new URL(url).pathname}`;
      try {
        const body = JSON.parse(text) as { message?: unknown };
        if (typeof body.message === 'string') message = body.message;
      } catch {
        // Not Heroku's error shape: the status says enough.
      }
      throw new DeployError(message);
    }
    return text;
  }
}

async function main(): Promise<void> {
  try {
    await deploy(parseDeployArgs(process.argv.slice(2), process.env), (line) => console.log(line));
  } catch (error) {
    console.error(`deploy: ${error instanceof DeployError ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
