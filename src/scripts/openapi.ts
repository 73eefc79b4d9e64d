import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app.factory.js';
import { loadConfig } from '../config/app-config.js';
import { createLogger } from '../common/logging/logger.js';
import { buildOpenApiDocument } from '../openapi.js';
import { toOpenApiYaml } from '../openapi-yaml.js';

/** `npm run openapi`: writes the served OpenAPI document to openapi.yaml. Needs no database. */
async function main(): Promise<void> {
  // The document does not depend on the key or the database; neither is touched.
  const config = {
    ...loadConfig({ ...process.env, LOG_LEVEL: 'silent' }),
    encryptionKey: randomBytes(32),
  };
  const app = await createApp({
    config,
    databaseUrl: 'postgresql://unused@127.0.0.1:1/unused',
    logger: createLogger('silent'),
  });
  const target = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
  await writeFile(target, toOpenApiYaml(buildOpenApiDocument(app)));
  await app.close();
  console.log(`wrote ${target}`);
}

void main();
