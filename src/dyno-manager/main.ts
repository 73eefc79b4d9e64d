import { redactUrl } from '../common/http-client/redact-url.js';
import { createLogger } from '../common/logging/logger.js';
import {
  DynoManagerConfig,
  DynoManagerConfigError,
  loadDynoManagerConfig,
} from './dyno-manager-config.js';
import { DynoManager } from './dyno-manager.js';
import { ensureRendezvousCertificate } from './rendezvous/rendezvous-certificate.js';
import { startRendezvousServer } from './rendezvous/rendezvous-server.js';

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

  const log = createLogger(config.logLevel, undefined, config.logFormat).child({
    component: 'dyno-manager',
    manager: config.name,
  });
  const manager = new DynoManager(config, log);
  // `heroku run` attaches over TLS; the CLI trusts our own CA through NODE_EXTRA_CA_CERTS.
  const certificate = await ensureRendezvousCertificate(config.dir, [config.rendezvousHost]);
  const rendezvous = await startRendezvousServer({
    host: config.rendezvousBind,
    port: config.rendezvousPort,
    key: certificate.key,
    cert: certificate.cert,
    authorize: (secret) => manager.authorize(secret),
    logger: log,
  });
  manager.advertiseRendezvous(rendezvous.port);
  log.info(
    {
      rendezvous: `${config.rendezvousHost}:${rendezvous.port}`,
      ca_file: certificate.caFile,
      ...(certificate.caCreated ? { new_ca: true } : {}),
    },
    `heroku run attaches here: export NODE_EXTRA_CA_CERTS=${certificate.caFile}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping every dyno');
    try {
      await Promise.all([manager.stop(), rendezvous.close()]);
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
      log_shipping: config.logShipping ? 'on' : 'off',
    },
    'starting',
  );
  await manager.start();
}

void main();
