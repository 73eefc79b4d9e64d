import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const embedded = globalThis.__drydockTestDatabase;
  if (!embedded) return;
  await embedded.stop();
  await rm(embedded.dataDir, { recursive: true, force: true });
}
