import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What the control plane's own processes (the router, the dyno manager) read from their
 * environment in the same way: numbers in bounds, the control plane's URL, and their token.
 * Each reader adds a line to `problems` instead of throwing, so that a start names every
 * problem at once.
 */
export class ComponentEnv {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  /** Seconds, fractions allowed (tests run with short timeouts); answered in milliseconds. */
  seconds(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback * 1000;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value < min || value > max) {
      this.problems.push(
        `${name} must be a number of seconds between ${min} and ${max}, got "${raw}"`,
      );
      return fallback * 1000;
    }
    return Math.round(value * 1000);
  }

  /** A switch: `on` or `off` (also true/false, 1/0), `fallback` when unset. */
  onOff(name: string, fallback: boolean): boolean {
    const raw = (this.env[name] ?? '').trim().toLowerCase();
    if (raw === '') return fallback;
    if (['on', 'true', '1'].includes(raw)) return true;
    if (['off', 'false', '0'].includes(raw)) return false;
    this.problems.push(`${name} must be on or off, got "${this.env[name]}"`);
    return fallback;
  }

  /** CONTROL_PLANE_URL, without a trailing slash so that paths can be appended. */
  controlPlaneUrl(): string {
    const url = (this.env.CONTROL_PLANE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash) {
      this.problems.push(
        'CONTROL_PLANE_URL must be an http:// or https:// URL such as http://127.0.0.1:3000',
      );
    }
    return url;
  }

  /**
   * The component's token: `variable`, else the file the API saved in the shared DATA_DIR
   * (`file`), else `fallbackVariable` when there is one. `source` names where it came from
   * for the log, never the token.
   */
  token(options: {
    variable: string;
    file: string;
    scope: string;
    fallbackVariable?: string;
    apiVariable: string;
  }): { token: string; source: string } {
    const tokenFile = path.join(path.resolve(this.env.DATA_DIR || '.data'), options.file);
    let token = this.env[options.variable] ?? '';
    let source = options.variable;
    if (!token && existsSync(tokenFile)) {
      token = readFileSync(tokenFile, 'utf8').trim();
      source = tokenFile;
    } else if (!token && options.fallbackVariable && this.env[options.fallbackVariable]) {
      token = this.env[options.fallbackVariable]!;
      source = options.fallbackVariable;
    }
    if (!token) {
      this.problems.push(
        `${options.variable} is required (a token with the ${options.scope} scope), or ${tokenFile}, which the API writes on its first start when ${options.apiVariable} is unset${options.fallbackVariable ? `, or ${options.fallbackVariable}` : ''}`,
      );
    } else if (/\s/.test(token)) {
      this.problems.push(`${source} must not contain whitespace`);
    }
    return { token, source };
  }
}
