import { spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { encryptionKeyId, SecretBox } from '../../src/common/crypto/secret-box.js';
import { StartupError } from '../../src/common/errors/startup-error.js';
import { SEALED_COLUMNS, SqlClient } from '../../src/encryption-keys/encryption-keys.repository.js';
import { registerKeyring } from '../../src/encryption-keys/key-registry.js';
import { rotateSecrets } from '../../src/encryption-keys/secret-rotation.js';
import { eventually } from '../support/eventually.js';
import {
  ADMIN_TOKEN,
  bearer,
  startTestApp,
  TestApp,
  testDatabaseUrl,
} from '../support/test-app.js';

/** The test apps' default key (test-app.ts). */
const KEY_A = Buffer.from('ab'.repeat(32), 'hex');
const KEY_B = Buffer.from('cd'.repeat(32), 'hex');
const ID_A = encryptionKeyId(KEY_A);
const ID_B = encryptionKeyId(KEY_B);
const WITH_B_AND_A = {
  DRYDOCK_ENCRYPTION_KEY: KEY_B.toString('hex'),
  DRYDOCK_ENCRYPTION_KEYS_PREVIOUS: KEY_A.toString('hex'),
};
const PAGE = 'https://pages.example.com/down.html';
/** A new value valid for whichever var the rotation test rewrites mid-batch. */
const racedValue = (key: string) =>
  ({
    MAINTENANCE_PAGE_URL: 'https://pages.example.com/new.html',
    DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE: 'false',
  })[key] ?? 'rewritten';

async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The boot check main.ts runs, with a keyring of `keys` (the first one current). */
const register = (keys: Buffer[], source = 'DRYDOCK_ENCRYPTION_KEY') =>
  withClient((client) => registerKeyring(client, new SecretBox(keys), source));

async function refusal(keys: Buffer[], source?: string): Promise<StartupError> {
  const error = await register(keys, source).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StartupError);
  return error as StartupError;
}

const recorded = () =>
  withClient(async (client) => {
    const { rows } = await client.query<{ id: string; retired: boolean }>(
      'SELECT id, retired_at IS NOT NULL AS retired FROM encryption_keys ORDER BY id',
    );
    return rows;
  });

/** Every stored secret, as it is in the database. */
const sealedValues = () =>
  withClient(async (client) => {
    const values: string[] = [];
    for (const { table, column } of SEALED_COLUMNS) {
      const { rows } = await client.query<{ sealed: string }>(
        `SELECT "${column}" AS sealed FROM "${table}" WHERE "${column}" IS NOT NULL`,
      );
      values.push(...rows.map((row) => row.sealed));
    }
    return values;
  });

/** An app in maintenance with a page, held jobs, more vars, releases and a one-off dyno's env. */
async function seed(t: TestApp, name: string): Promise<void> {
  const admin = bearer(ADMIN_TOKEN);
  await t.http().post('/apps').set(admin).send({ name }).expect(201);
  await t
    .http()
    .patch(`/apps/${name}/config-vars`)
    .set(admin)
    .send({ MAINTENANCE_PAGE_URL: PAGE, DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE: 'true' })
    .expect(200);
  await t
    .http()
    .patch(`/apps/${name}/config-vars`)
    .set(admin)
    .send({ FOO: 'one', BAR: 'two', BAZ: 'three' })
    .expect(200);
  await t.http().patch(`/apps/${name}`).set(admin).send({ maintenance: true }).expect(200);
  await t
    .http()
    .post(`/apps/${name}/dynos`)
    .set(admin)
    .send({ command: 'rake db:migrate', env: { SECRET: 'hush' } })
    .expect(201);
}

/** A value as drydock sealed it before key ids: `v1.<iv>.<tag>.<data>`, no key named. */
function sealV1(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url'))].join(
    '.',
  );
}

describe('encryption keys', () => {
  describe('at boot', () => {
    it('records the key on first boot and refuses another one in one line naming the key it needs', async () => {
      const t = await startTestApp();
      await seed(t, 'boot-app');
      await t.close();

      expect(await register([KEY_A])).toEqual({ currentKeyId: ID_A, previous: [] });
      expect(await recorded()).toEqual([{ id: ID_A, retired: false }]);
      expect(await register([KEY_A])).toEqual({ currentKeyId: ID_A, previous: [] });

      const error = await refusal([KEY_B], '/data/encryption-key');
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toContain(
        `are sealed with encryption key ${ID_A}, which this replica does not have`,
      );
      expect(error.message).toContain(`This replica's key is ${ID_B} (/data/encryption-key)`);
      expect(error.message).toContain(`Set DRYDOCK_ENCRYPTION_KEY to the key with id ${ID_A}`);
      expect(error.message).not.toContain(KEY_B.toString('hex'));
      expect(await recorded()).toEqual([{ id: ID_A, retired: false }]);
    });

    it('stops `node dist/main.js` with that line and no stack trace, and saves no generated key', async () => {
      const t = await startTestApp();
      await seed(t, 'process-app');
      await t.close();
      await register([KEY_A]);
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-keys-'));
      const start = async (env: Record<string, string>) => {
        const child = spawn(process.execPath, ['dist/main.js'], {
          env: {
            ...process.env,
            DATABASE_URL: testDatabaseUrl(),
            DATA_DIR: dataDir,
            PORT: '0',
            HOST: '127.0.0.1',
            LOG_LEVEL: 'silent',
            DRYDOCK_ADMIN_TOKEN: ADMIN_TOKEN,
            DRYDOCK_ENCRYPTION_KEYS_PREVIOUS: '',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        // Should it boot after all, it must not outlive the test.
        const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const [code] = await once(child, 'exit');
        clearTimeout(guard);
        return { code, lines: stderr.trim().split('\n') };
      };
      try {
        const wrong = await start({ DRYDOCK_ENCRYPTION_KEY: KEY_B.toString('hex') });
        expect(wrong.code).toBe(1);
        expect(wrong.lines).toHaveLength(1);
        expect(wrong.lines[0]).toMatch(
          new RegExp(
            `^drydock cannot start: \\d+ stored secrets \\(config vars: 5, .*\\) are sealed with encryption key ${ID_A}`,
          ),
        );
        expect(wrong.lines[0]).toContain(`This replica's key is ${ID_B} (DRYDOCK_ENCRYPTION_KEY)`);

        const none = await start({ DRYDOCK_ENCRYPTION_KEY: '' });
        expect(none.code).toBe(1);
        expect(none.lines).toHaveLength(1);
        const file = path.join(dataDir, 'encryption-key');
        expect(none.lines[0]).toContain(
          `(generated just now for ${file}: DRYDOCK_ENCRYPTION_KEY is unset and that file did not exist)`,
        );
        expect(existsSync(file)).toBe(false);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }, 60_000);

    it('trusts a database from before key ids only with a key that opens its values', async () => {
      const t = await startTestApp();
      await seed(t, 'legacy-app');
      const box = new SecretBox([KEY_A]);
      await withClient(async (client) => {
        for (const { table, column } of SEALED_COLUMNS) {
          const { rows } = await client.query<{ id: string; sealed: string }>(
            `SELECT id, "${column}" AS sealed FROM "${table}" WHERE "${column}" IS NOT NULL`,
          );
          for (const row of rows) {
            await client.query(`UPDATE "${table}" SET "${column}" = $2 WHERE id = $1`, [
              row.id,
              sealV1(KEY_A, box.decrypt(row.sealed)),
            ]);
          }
        }
      });
      await t.close();
      expect((await sealedValues()).every((value) => value.startsWith('v1.'))).toBe(true);

      const error = await refusal([KEY_B]);
      expect(error.message).toContain(
        'from before encryption key ids were recorded do not open with any key of this replica',
      );
      expect(await recorded()).toEqual([]);

      expect(await register([KEY_B, KEY_A])).toEqual({
        currentKeyId: ID_B,
        previous: [{ id: ID_A, inUse: true }],
      });
      expect(await recorded()).toEqual(
        [
          { id: ID_A, retired: false },
          { id: ID_B, retired: false },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      const again = await startTestApp(WITH_B_AND_A, { reset: false });
      try {
        await again
          .http()
          .get('/apps/legacy-app/config-vars')
          .set(bearer(ADMIN_TOKEN))
          .expect(200)
          .expect((response) => expect(response.body.FOO).toBe('one'));
      } finally {
        await again.close();
      }
      // A, which sealed the old values, may not leave the ring before they are rotated.
      expect((await refusal([KEY_B])).message).toContain(
        'from before encryption key ids were recorded do not open with any key of this replica',
      );
    });
  });

  it('keys:rotate re-seals every secret with the new key while writes go on, then the old key may leave', async () => {
    const first = await startTestApp();
    await seed(first, 'rotate-app');
    await first.close();
    await register([KEY_A]);

    const writer = await startTestApp(WITH_B_AND_A, { reset: false });
    let raced: string | undefined;
    try {
      await register([KEY_B, KEY_A]);
      const early = await refusal([KEY_B]);
      expect(early.message).toContain(`sealed with encryption key ${ID_A}`);
      expect(early.message).toContain(
        'or keep it in DRYDOCK_ENCRYPTION_KEYS_PREVIOUS until `npm run keys:rotate` has re-encrypted everything',
      );

      // Between reading the first batch of config vars and swapping it, the API rewrites one of them.
      const lines: string[] = [];
      const result = await withClient((client) => {
        const db: SqlClient = {
          query: async (text, values) => {
            if (!raced && text.startsWith('UPDATE "config_vars"')) {
              const [id] = (values as unknown[])[0] as string[];
              const row = await writer.prisma.configVar.findUniqueOrThrow({ where: { id } });
              raced = row.key;
              await writer
                .http()
                .patch('/apps/rotate-app/config-vars')
                .set(bearer(ADMIN_TOKEN))
                .send({ [raced]: racedValue(raced) })
                .expect(200);
            }
            return client.query(text, values);
          },
        };
        return rotateSecrets(db, new SecretBox([KEY_B, KEY_A]), {
          batchSize: 2,
          log: (line) => lines.push(line),
        });
      });

      expect(raced).toBeDefined();
      expect(result.left.size).toBe(0);
      expect(result.retired).toEqual([ID_A]);
      expect(result.resealed['config vars']).toBeGreaterThanOrEqual(4);
      expect(result.resealed['one-off dyno envs']).toBe(1);
      expect(lines).toContain(
        '1 values changed while being re-encrypted; going over what is left again',
      );
      const onlyB = new SecretBox([KEY_B]);
      const values = await sealedValues();
      expect(values.length).toBeGreaterThan(8);
      for (const value of values) {
        expect(value.startsWith(`v2.${ID_B}.`)).toBe(true);
        expect(() => onlyB.decrypt(value)).not.toThrow();
      }
      expect(await recorded()).toEqual(
        [
          { id: ID_A, retired: true },
          { id: ID_B, retired: false },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect(await register([KEY_B])).toEqual({ currentKeyId: ID_B, previous: [] });

      const again = await withClient((client) => rotateSecrets(client, new SecretBox([KEY_B])));
      expect(again).toEqual({ resealed: {}, left: new Map(), retired: [] });
    } finally {
      await writer.close();
    }

    const reader = await startTestApp(
      { DRYDOCK_ENCRYPTION_KEY: KEY_B.toString('hex') },
      { reset: false },
    );
    try {
      const admin = bearer(ADMIN_TOKEN);
      const vars = await reader.http().get('/apps/rotate-app/config-vars').set(admin).expect(200);
      expect(vars.body).toEqual({
        BAR: 'two',
        BAZ: 'three',
        DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE: 'true',
        FOO: 'one',
        MAINTENANCE_PAGE_URL: PAGE,
        [raced!]: racedValue(raced!),
      });
      await reader
        .http()
        .get('/apps/rotate-app/releases/3/config-vars')
        .set(admin)
        .expect(200)
        .expect((response) => expect(response.body.BAZ).toBe('three'));
      const manager = await reader.mintToken(['dyno-manager']);
      const dynos = await reader
        .http()
        .get('/dyno-manager/v1/apps/rotate-app/dynos')
        .set(bearer(manager))
        .expect(200);
      // Its own env and its release's config vars, both re-sealed.
      expect(dynos.body.find((d: { name: string }) => d.name === 'run.1').env).toMatchObject({
        SECRET: 'hush',
        FOO: 'one',
      });
    } finally {
      await reader.close();
    }
  });

  it('a replica without the key: routing keeps serving, secret endpoints answer 503 encryption_key_unavailable', async () => {
    const writer = await startTestApp(WITH_B_AND_A);
    const warnings: string[] = [];
    let reader: TestApp | undefined;
    try {
      await seed(writer, 'sealed-app');
      const logger = pino(
        { level: 'warn' },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            for (const line of chunk.toString().split('\n').filter(Boolean))
              warnings.push(JSON.parse(line).msg);
            done();
          },
        }),
      );
      // Key A only: it boots, and loads the routing view of an app whose page it cannot read.
      reader = await startTestApp({}, { reset: false, logger });
      const [routing, scheduler, manager] = await Promise.all([
        reader.mintToken(['routing']),
        reader.mintToken(['scheduler']),
        reader.mintToken(['dyno-manager']),
      ]);
      const pageWarnings = () =>
        warnings.filter(
          (line) => line.startsWith('app sealed-app') && line.includes('MAINTENANCE_PAGE_URL'),
        );

      const entry = await reader
        .http()
        .get('/routing/v1/apps/sealed-app')
        .set(bearer(routing))
        .expect(200);
      expect(entry.body).toMatchObject({
        name: 'sealed-app',
        maintenance: true,
        maintenance_page_url: null,
      });
      await writer
        .http()
        .get('/routing/v1/apps/sealed-app')
        .set(bearer(await writer.mintToken(['routing'])))
        .expect(200)
        .expect((response) => expect(response.body.maintenance_page_url).toBe(PAGE));
      await reader
        .http()
        .get('/scheduler/v1/apps/sealed-app')
        .set(bearer(scheduler))
        .expect(200)
        .expect((response) => expect(response.body.jobs_may_run).toBe(false));
      expect(pageWarnings()).toEqual([
        `app sealed-app: MAINTENANCE_PAGE_URL cannot be read, routers serve their own page: its value is sealed with encryption key ${ID_B}, which this replica does not have`,
      ]);

      // A change re-reads the app on the reader; the warning is not repeated.
      await writer
        .http()
        .patch('/apps/sealed-app')
        .set(bearer(ADMIN_TOKEN))
        .send({ name: 'sealed-2' })
        .expect(200);
      await eventually(() =>
        reader!.http().get('/routing/v1/apps/sealed-2').set(bearer(routing)).expect(200),
      );
      expect(pageWarnings()).toHaveLength(1);
      expect(
        warnings.filter((line) => line.includes('DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE')),
      ).toHaveLength(1);

      const unavailable = {
        id: 'encryption_key_unavailable',
        message: `A stored secret is sealed with encryption key ${ID_B}, which this replica does not have: set DRYDOCK_ENCRYPTION_KEY to that key or add it to DRYDOCK_ENCRYPTION_KEYS_PREVIOUS.`,
      };
      const admin = bearer(ADMIN_TOKEN);
      await reader.http().get('/apps/sealed-2/config-vars').set(admin).expect(503, unavailable);
      await reader
        .http()
        .get('/apps/sealed-2/releases/3/config-vars')
        .set(admin)
        .expect(503, unavailable);
      await reader
        .http()
        .get('/dyno-manager/v1/apps/sealed-2/dynos')
        .set(bearer(manager))
        .expect(503, unavailable);
      const releases = await reader.prisma.release.count({ where: { app: { name: 'sealed-2' } } });
      await reader
        .http()
        .patch('/apps/sealed-2/config-vars')
        .set(admin)
        .send({ NEW: 'value' })
        .expect(503, unavailable);
      expect(await reader.prisma.release.count({ where: { app: { name: 'sealed-2' } } })).toBe(
        releases,
      );
      expect(await reader.prisma.configVar.count({ where: { key: 'NEW' } })).toBe(0);
    } finally {
      await reader?.close();
      await writer.close();
    }
  });
});
