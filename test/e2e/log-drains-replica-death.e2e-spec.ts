import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DrainReceiver, startDrainReceiver } from '../support/drain-receiver.js';
import { DrydockProcess, startDrydock } from '../support/drydock-process.js';
import { eventually } from '../support/eventually.js';
import {
  ADMIN_TOKEN,
  bearer,
  startTestApp,
  TestApp,
  testDatabaseUrl,
} from '../support/test-app.js';

const ENV = { LOG_DRAIN_ALLOWED_HOSTS: '127.0.0.1', LOG_DRAINS_ALLOW_HTTP: 'true' };
/** A frame's message, after `<PRI>1 <time> host <source> <dyno> - `. */
const message = (frame: string) => frame.split(' ').slice(6).join(' ');

describe('log drains, with an API replica killed in the middle of a delivery', () => {
  let dataDir: string;
  let drain: DrainReceiver;
  let replicaA: DrydockProcess | undefined;
  let replicaB: TestApp | undefined;
  afterAll(async () => {
    await replicaA?.stop('SIGKILL');
    await replicaB?.close();
    await drain?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('goes on delivering from another replica within seconds, with every line in order', async () => {
    drain = await startDrainReceiver();
    // Set up in-process, then closed: replica A's worker is then the only one to take the delivery.
    const setup = await startTestApp(ENV);
    const owner = await setup.createUser('drains-death@example.com');
    const routerToken = await setup.mintToken(['routing']);
    const app = (
      await setup
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name: 'drains-death', process_types: { web: 'npm start' } })
        .expect(201)
    ).body as { id: string };
    const created = await setup
      .http()
      .post('/apps/drains-death/log-drains')
      .set(bearer(owner.token))
      .send({ url: `${drain.base}/` })
      .expect(201);
    await setup.close();

    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-drains-'));
    replicaA = await startDrydock(dataDir, {
      ...ENV,
      DATABASE_URL: testDatabaseUrl(),
      DRYDOCK_ADMIN_TOKEN: ADMIN_TOKEN,
      DRYDOCK_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    const ingest = async (base: string, messages: string[]) => {
      const response = await fetch(`${base}/logs/v1/lines`, {
        method: 'POST',
        headers: { ...bearer(routerToken), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          lines: messages.map((m) => ({
            app_id: app.id,
            source: 'heroku',
            dyno: 'router',
            message: m,
          })),
        }),
      });
      expect(response.status).toBe(202);
    };

    drain.hang();
    await ingest(replicaA.url, ['before the kill 1', 'before the kill 2']);
    await eventually(() => expect(drain.requests).toHaveLength(1), 10_000);
    expect(drain.requests[0].frames.map(message)).toEqual([
      'before the kill 1',
      'before the kill 2',
    ]);

    replicaB = await startTestApp(ENV, { reset: false });
    const port = await replicaB.listen();
    // Killed while its POST waits for an answer: its job, and whatever it locked, stay behind.
    await replicaA.stop('SIGKILL');
    drain.answer(200);
    await ingest(`http://127.0.0.1:${port}`, ['after the kill']);

    // Far below the sweep's minute and graphile-worker's 4 hours.
    await eventually(
      () => expect(drain.accepted().map(message)).toContain('after the kill'),
      15_000,
    );
    // The batch A never had an answer for is sent again; each acknowledged line once, in order.
    expect(drain.accepted().map(message)).toEqual([
      'before the kill 1',
      'before the kill 2',
      'after the kill',
    ]);
    const prisma = replicaB.prisma;
    const { head } = await prisma.logStream.findUniqueOrThrow({ where: { appId: app.id } });
    await eventually(async () => {
      const row = await prisma.logDrain.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(row).toMatchObject({ cursorSeq: head, failures: 0, dropped: 0n });
    });
  }, 60_000);
});
