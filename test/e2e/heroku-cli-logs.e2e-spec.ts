import { eventually } from '../support/eventually.js';
import { HerokuCli, herokuCli, RunningCli } from '../support/heroku-cli.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00`;

/** `heroku logs` with the real CLI: each form reads Heroku's log session and its SSE stream. */
describe('Heroku CLI: heroku logs', () => {
  let t: TestApp;
  let cli: HerokuCli;
  let routerToken: string;
  let managerToken: string;
  let appId: string;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const port = await t.listen();
    const user = await t.createUser('logs-operator@example.com');
    cli = await herokuCli(port, user.token);
    routerToken = await t.mintToken(['routing']);
    managerToken = await t.mintToken(['dyno-manager']);
    const created = await t
      .http()
      .post('/apps')
      .set(bearer(user.token))
      .send({ name: 'cli-logs', process_types: { web: 'npm start', worker: 'node worker.js' } })
      .expect(201);
    appId = created.body.id;
    await cli.run('maintenance:on', '-a', 'cli-logs');
    await ingest(routerToken, [
      {
        source: 'heroku',
        dyno: 'router',
        message:
          'at=error code=H80 desc="Maintenance mode" method=GET path="/" host=cli-logs.localhost request_id=abc fwd="203.0.113.9" dyno= connect= service= status=503 bytes=1042 protocol=http',
      },
    ]);
    await ingest(managerToken, [
      { source: 'app', dyno: 'web.1', message: 'web says hello' },
      { source: 'app', dyno: 'worker.1', message: 'worker says hello' },
      { source: 'heroku', dyno: 'web.1', message: 'Starting process with command `npm start`' },
    ]);
  });
  afterAll(async () => {
    await Promise.all(running.map((cli) => cli.stop()));
    await t.close();
  });

  function ingest(token: string, lines: object[]) {
    return t
      .http()
      .post('/logs/v1/lines')
      .set(bearer(token))
      .send({ lines: lines.map((line) => ({ app_id: appId, ...line })) })
      .expect(202);
  }
  const lines = (stdout: string) => stdout.trim().split('\n');

  it('shows every source in order, in Heroku’s line format', async () => {
    const { code, stdout, stderr } = await cli.run('logs', '-a', 'cli-logs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const printed = lines(stdout);
    expect(printed.map((line) => line.replace(new RegExp(`^${STAMP} `), ''))).toEqual([
      'app[api]: Initial release by user logs-operator@example.com',
      'app[api]: Release v1 created by user logs-operator@example.com',
      'app[api]: Enable maintenance mode by user logs-operator@example.com',
      'heroku[router]: at=error code=H80 desc="Maintenance mode" method=GET path="/" host=cli-logs.localhost request_id=abc fwd="203.0.113.9" dyno= connect= service= status=503 bytes=1042 protocol=http',
      'app[web.1]: web says hello',
      'app[worker.1]: worker says hello',
      'heroku[web.1]: Starting process with command `npm start`',
    ]);
  });

  it('filters by -n, --source, --dyno, router and the process type', async () => {
    expect(lines((await cli.run('logs', '-a', 'cli-logs', '-n', '2')).stdout)).toHaveLength(2);
    const app = lines((await cli.run('logs', '-a', 'cli-logs', '--source', 'app')).stdout);
    expect(app.every((line) => / app\[/.test(line))).toBe(true);
    expect(app).toHaveLength(5);
    const router = lines((await cli.run('logs', '-a', 'cli-logs', '--dyno', 'router')).stdout);
    expect(router).toHaveLength(1);
    expect(router[0]).toMatch(/heroku\[router\]: at=error code=H80 desc="Maintenance mode"/);
    const web = lines(
      (await cli.run('logs', '-a', 'cli-logs', '--dyno', 'web.1', '-s', 'heroku')).stdout,
    );
    expect(web).toEqual([expect.stringMatching(/ heroku\[web\.1\]: Starting process/)]);
    const workers = lines((await cli.run('logs', '-a', 'cli-logs', '-p', 'worker')).stdout);
    expect(workers).toEqual([expect.stringMatching(/ app\[worker\.1\]: worker says hello$/)]);
  });

  it('says what is wrong with a filter, in one line', async () => {
    const unknown = await cli.run('logs', '-a', 'cli-logs', '--dyno', 'clock');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Unknown dyno clock/);
    const source = await cli.run('logs', '-a', 'cli-logs', '--source', 'kernel');
    expect(source.stderr).toMatch(/Unknown source kernel/);
    const many = await cli.run('logs', '-a', 'cli-logs', '-n', '5000');
    expect(many.stderr).toMatch(/lines must be between 0 and 1500/);
  });

  it('--tail shows new lines as they are written, until stopped', async () => {
    const tail = cli.start('logs', '-a', 'cli-logs', '--tail', '--dyno', 'web');
    running.push(tail);
    await eventually(() => expect(tail.stdout()).toContain('web says hello'), 20_000);
    await ingest(managerToken, [{ source: 'app', dyno: 'web.1', message: 'tail line one' }]);
    await ingest(managerToken, [{ source: 'app', dyno: 'worker.1', message: 'not a web line' }]);
    await ingest(managerToken, [{ source: 'app', dyno: 'web.1', message: 'tail line two' }]);
    await eventually(() => expect(tail.stdout()).toContain('tail line two'), 10_000);
    expect(tail.stdout()).toContain('tail line one');
    expect(tail.stdout()).not.toContain('not a web line');
    expect(tail.child.exitCode).toBeNull();
  });
});
