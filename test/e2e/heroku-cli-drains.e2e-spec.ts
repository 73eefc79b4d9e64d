import { DrainReceiver, startDrainReceiver } from '../support/drain-receiver.js';
import { eventually } from '../support/eventually.js';
import { HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** The CLI wraps ` ›   Error: ...` lines at 80 columns; this joins them back up. */
const unwrap = (stderr: string) => stderr.replace(/ *\n › {3}/g, ' ');

/**
 * The real Heroku CLI's drain commands against a listening drydock, draining to a receiver
 * on loopback (which the operator allows here): `heroku drains`, `drains:add`, `drains:remove`
 * by URL (sent percent-encoded) and `drains --json`.
 */
describe('Heroku CLI: log drains', () => {
  let t: TestApp;
  let cli: HerokuCli;
  let receiver: DrainReceiver;
  let user: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp({ LOG_DRAIN_ALLOWED_HOSTS: '127.0.0.1', LOG_DRAINS_ALLOW_HTTP: 'true' });
    receiver = await startDrainReceiver();
    user = await t.createUser('drains-cli@example.com');
    cli = await herokuCli(await t.listen(), user.token);
    await t
      .http()
      .post('/apps')
      .set(bearer(user.token))
      .send({ name: 'drained', process_types: { web: 'npm start', worker: 'node worker.js' } })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('adds, lists, drains to, and removes a drain by URL', async () => {
    const url = `${receiver.base}/logs?key=abc`;
    expect((await cli.run('drains', '-a', 'drained')).stdout).toBe('');

    const added = await cli.run('drains:add', url, '-a', 'drained');
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain(`Successfully added drain ${url}`);
    const drain = await t.prisma.logDrain.findFirstOrThrow({ where: { app: { name: 'drained' } } });

    const listed = await cli.run('drains', '-a', 'drained');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('=== Drains');
    expect(listed.stdout).toContain(`${url} (${drain.token})`);

    const json = await cli.run('drains', '--json', '-a', 'drained');
    expect(json.code).toBe(0);
    const drains = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(drains).toEqual([
      expect.objectContaining({ id: drain.id, token: drain.token, url, addon: null }),
    ]);

    await cli.run('ps:scale', 'worker=1', '-a', 'drained');
    await eventually(() =>
      expect(receiver.accepted()).toContainEqual(
        expect.stringMatching(
          / host app api - Scaled to worker@1:Standard-1X by user drains-cli@example\.com$/,
        ),
      ),
    );
    expect(receiver.requests[0].headers['logplex-drain-token']).toBe(drain.token);

    const duplicate = await cli.run('drains:add', url, '-a', 'drained');
    expect(duplicate.code).not.toBe(0);
    expect(unwrap(duplicate.stderr)).toContain('Url has already been taken');

    const removed = await cli.run('drains:remove', url, '-a', 'drained');
    expect(removed).toMatchObject({ code: 0 });
    expect(removed.stdout).toContain(`Successfully removed drain ${url}`);
    expect(await t.prisma.logDrain.count({ where: { app: { name: 'drained' } } })).toBe(0);
    expect((await cli.run('drains', '-a', 'drained')).stdout).toBe('');
  });

  it('shows why a syslog or private drain is refused', async () => {
    const syslog = await cli.run('drains:add', 'syslog://logs.example.com:514', '-a', 'drained');
    expect(syslog.code).not.toBe(0);
    expect(unwrap(syslog.stderr)).toContain('drydock supports HTTPS drains only');
    const internal = await cli.run('drains:add', 'https://10.1.2.3/logs', '-a', 'drained');
    expect(internal.code).not.toBe(0);
    expect(unwrap(internal.stderr)).toContain('10.1.2.3 is a private (RFC 1918) address');
  });
});
