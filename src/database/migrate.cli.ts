import { loadConfig } from '../config/app-config.js';
import { connectDatabase } from './database-connection.js';
import { migrate } from './migrator.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL or the embedded database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await connectDatabase(config, (level, message) => {
    if (level === 'warn' || level === 'error') console.error(message);
  });
  try {
    console.log(`database: ${database.description}`);
    const { applied, alreadyApplied } = await migrate(database.url);
    for (const name of alreadyApplied) console.log(`  already applied  ${name}`);
    for (const name of applied) console.log(`  applied          ${name}`);
    console.log(
      applied.length ? `${applied.length} migration(s) applied.` : 'Database schema is up to date.',
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
