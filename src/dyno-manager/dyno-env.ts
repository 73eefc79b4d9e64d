import type { ManagedDyno } from './managed-dyno.js';

export interface DynoEnvContext {
  /** The dyno's own directory: its HOME and working directory. */
  home: string;
  /** The port a web dyno must bind; undefined for other dynos. */
  port: number | undefined;
  /** The manager's PATH, so commands such as node and bash resolve as they do for it. */
  path: string;
}

/**
 * The whole environment of a dyno's process: drydock's env for the dyno and what the
 * manager adds, never anything of the manager's own (its token among it). As on Heroku,
 * PORT is set for web dynos (and always by the platform); DYNO and HOME are the
 * platform's; a PATH config var wins over the manager's, which is only the default.
 */
export function dynoEnv(
  dyno: Pick<ManagedDyno, 'name' | 'env'>,
  context: DynoEnvContext,
): Record<string, string> {
  const env: Record<string, string> = { PATH: context.path, ...dyno.env };
  env.DYNO = dyno.name;
  env.HOME = context.home;
  if (context.port !== undefined) env.PORT = String(context.port);
  return env;
}

/** Heroku routes web traffic to the `web` process type only. */
export function isWeb(dyno: Pick<ManagedDyno, 'type'>): boolean {
  return dyno.type === 'web';
}
