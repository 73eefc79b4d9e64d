// Installs the pinned Heroku CLI for the contract tests on first use, from this folder's
// lockfile, so `npm install` for the service stays light. Re-installs when the lockfile changes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lockfile = path.join(here, 'package-lock.json');
const stamp = path.join(here, 'node_modules', '.drydock-lock-sha256');
const wanted = createHash('sha256').update(readFileSync(lockfile)).digest('hex');
const cli = path.join(here, 'node_modules', 'heroku', 'bin', 'run.js');

if (existsSync(cli) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) process.exit(0);

console.log('Installing the Heroku CLI for the contract tests (first run only)...');
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: here,
  stdio: 'inherit',
});
writeFileSync(stamp, wanted);
