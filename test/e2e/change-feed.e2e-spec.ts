import pg from 'pg';
import { ChangeFeed } from '../../src/events/change-feed.service.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';
import { openSse } from '../support/sse-client.js';
import { bearer, startTestApp, TestApp, testDatabaseUrl } from '../support/test-app.js';

describe('the change feed', () => {
  let t: TestApp;
  let port: number;
  let owner: { id: string; token: string };
  let routerToken: string;
  const logs = captureLogs();

  beforeAll(async () => {
    // Statements give up after a second, so a locked table fails the view's re-read quickly.
    t = await startTestApp({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '1' }, { logger: logs.logger });
    port = await t.listen();
    owner = await t.createUser('feed-owner@example.com');
    routerToken = await t.mintToken(['routing']);
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'feedy', process_types: { web: 'npm start' } })
      .expect(201);
    await t
      .http()
      .patch('/apps/feedy/config-vars')
      .set(bearer(owner.token))
      .send({ MAINTENANCE_PAGE_URL: 'https://pages.example.com/down.html' })
      .expect(200);
  });
  afterAll(() => t.close());

  const routing = async () =>
    (await t.http().get('/routing/v1/apps/feedy').set(bearer(routerToken)).expect(200)).body as {
      web: { quantity: number };
    };
  const logHead = async () =>
    Number((await t.prisma.event.aggregate({ _max: { version: true } }))._max.version);

  it('retries events whose application failed until they apply, telling watchers once', async () => {
    await eventually(async () => expect((await routing()).web.quantity).toBe(1));
    // The stream starts at the feed's version: have it past the setup's events first.
    await t.app.get(ChangeFeed).caughtUp();
    const stream = await openSse(`http://127.0.0.1:${port}/routing/v1/watch`, bearer(routerToken));
    try {
      // The view's re-read joins config_vars, which scaling does not touch: while another
      // session holds that table locked, every re-read times out.
      const locker = new pg.Client({ connectionString: testDatabaseUrl() });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE config_vars IN ACCESS EXCLUSIVE MODE');
      const before = await logHead();
      await t
        .http()
        .patch('/apps/feedy/formation/web')
        .set(bearer(owner.token))
        .send({ quantity: 2 })
        .expect(200);
      const head = await logHead();
      const feed = t.app.get(ChangeFeed);
      const failed = await t.prisma.event.findFirstOrThrow({ where: { version: BigInt(head) } });
      expect(failed.action).toBe('formation.update');
      // The feed reads the change, fails to apply it, says so, and keeps its version.
      await eventually(() =>
        expect(
          logs
            .entries()
            .some(
              (entry) => String(entry.msg).startsWith('change feed') && Number(entry.level) >= 40,
            ),
        ).toBe(true),
      );
      expect(feed.version).toBe(before);
      expect((await routing()).web.quantity).toBe(1);

      // Unlocked without a new event, so no NOTIFY wakes the feed: only its retry applies it.
      await locker.query('ROLLBACK');
      await locker.end();
      await eventually(async () => expect((await routing()).web.quantity).toBe(2));
      expect(feed.version).toBe(head);
      const delivered = await stream.until((messages) =>
        messages.some((m) => Number(m.id) === head),
      );
      expect(delivered.map((message) => Number(message.id))).toEqual([head]);
    } finally {
      stream.close();
    }
  });
});
