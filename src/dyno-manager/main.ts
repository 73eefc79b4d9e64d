import { redactUrl } from '../common/http-client/redact-url.js';
import { createLogger } from '../common/logging/logger.js';
import {
  DynoManagerConfig,
  DynoManagerConfigError,
  loadDynoManagerConfig,
} from './dyno-manager-config.js';
import { DynoManager } from './dyno-manager.js';

/** The reference dyno manager: runs every dyno of every app as a local process. */
async function main(): Promise<void> {
  let config: DynoManagerConfig;
  try {
    config = loadDynoManagerConfig(process.env);
  } catch (error) {
    if (!(error instanceof DynoManagerConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  const log = createLogger(config.logLevel).child({
    component: 'dyno-manager',
    manager: config.name,
  });
  const manager = new DynoManager(config, log);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping every dyno');
    try {
      await manager.stop();
    } catch (error) {
      log.error({ error: error instanceof Error ? error.message : String(error) }, 'stop failed');
    }
    log.info('stopped');
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  log.info(
    {
      control_plane: redactUrl(config.controlPlaneUrl),
      token_from: config.tokenSource,
      dir: config.dir,
      dyno_host: config.dynoHost,
    },
    'starting',
  );
  await manager.start();
}

void main();
