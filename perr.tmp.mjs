import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '/work/main/dist/generated/prisma/client.js';
const url = process.argv[2];
const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 1000, query_timeout: 1500 });
class FailingPool extends pg.Pool { connect(cb) { const e = Object.assign(new Error('database unavailable (breaker)'), {code: 'DRYDOCK_DB_UNAVAILABLE'}); if (cb) { cb(e); return; } return Promise.reject(e); } }
for (const p of [pool, new FailingPool({connectionString: url})]) {
const prisma = new PrismaClient({ adapter: new PrismaPg(p) });
for (const [name, fn] of [['raw', () => prisma.$queryRaw`SELECT 1`], ['find', () => prisma.app.findMany()], ['tx', () => prisma.$transaction(async (tx) => tx.app.findMany())]]) {
  try { await fn(); console.log(name, 'ok'); } catch (e) { console.log(name, e.constructor.name, 'code=', e.code, 'msg=', String(e.message).slice(0,200).replace(/\n/g,' | '), 'meta=', JSON.stringify(e.meta), 'cause=', e.cause && (e.cause.code || e.cause.message)); }
}
}
process.exit(0);
