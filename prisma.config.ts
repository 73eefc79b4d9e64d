import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate deploy elsewhere). The service itself
// connects through @prisma/adapter-pg with the URL it resolves at boot.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/drydock' },
});
