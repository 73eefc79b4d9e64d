import { HerokuCli, herokuCli } from '../support/heroku-cli.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** The CLI wraps ` ›   Error: ...` lines at 80 columns; this joins them back up. */
const unwrap = (stderr: string) => stderr.replace(/ *\n › {3}/g, ' ');
/** A table row as the CLI prints it: cells apart by runs of spaces. */
const row = (...cells: string[]) =>
  new RegExp(`^ +${cells.map((c) => c.replace(/\./g, '\\.')).join(' +')} *$`, 'm');

/**
 * The real Heroku CLI's domain commands against a listening drydock: `heroku domains`
 * (Range-paged, the default domain apart from the custom ones), `domains:add` (which asks
 * for the app's SNI endpoints first, and prints the DNS target), `domains:add --wait`,
 * `domains:wait`, `domains:info` and `domains:remove`.
 */
describe('Heroku CLI: domains', () => {
  let t: TestApp;
  let cli: HerokuCli;

  beforeAll(async () => {
    t = await startTestApp({ APPS_DOMAIN: 'apps.example.test' });
    const user = await t.createUser('domains-cli@example.com');
    cli = await herokuCli(await t.listen(), user.token);
    await t
      .http()
      .post('/apps')
      .set(bearer(user.token))
      .send({ name: 'shop', process_types: { web: 'npm start' } })
      .expect(201);
  });
  afterAll(() => t.close());

  it('lists the default domain, adds custom ones with their DNS target, waits, shows and removes them', async () => {
    const empty = await cli.run('domains', '-a', 'shop');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('=== shop Heroku Domain\n\nshop.apps.example.test\n');

    const added = await cli.run('domains:add', 'www.example.com', '-a', 'shop');
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('Adding www.example.com to shop... done');
    expect(added.stdout).toContain(
      "Configure your app's DNS provider to point to the DNS Target shop.apps.example.test.",
    );
    expect(added.stdout).toContain(
      'Run heroku domains:wait www.example.com to wait for completion',
    );
    expect(await t.prisma.domain.findMany({ select: { hostname: true } })).toEqual([
      { hostname: 'www.example.com' },
    ]);

    const waited = await cli.run('domains:add', 'Example.COM', '-a', 'shop', '--wait');
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('point to the DNS Target shop.apps.example.test.');
    expect(waited.stderr).toContain('Waiting for example.com... done');

    const listed = await cli.run('domains', '-a', 'shop');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('=== shop Heroku Domain\n\nshop.apps.example.test\n');
    expect(listed.stdout).toContain('=== shop Custom Domains');
    expect(listed.stdout).toMatch(
      row('Domain Name', 'DNS Record Type', 'DNS Target', 'SNI Endpoint'),
    );
    expect(listed.stdout).toMatch(row('www.example.com', 'CNAME', 'shop.apps.example.test'));
    expect(listed.stdout).toMatch(row('example.com', 'ALIAS or ANAME', 'shop.apps.example.test'));

    const json = await cli.run('domains', '--json', '-a', 'shop');
    expect(json.code).toBe(0);
    const domains = JSON.parse(json.stdout) as { hostname: string; kind: string; status: string }[];
    expect(domains.map((d) => [d.hostname, d.kind, d.status]).sort()).toEqual([
      ['example.com', 'custom', 'succeeded'],
      ['shop.apps.example.test', 'heroku', 'succeeded'],
      ['www.example.com', 'custom', 'succeeded'],
    ]);

    // Nothing is ever pending: both forms of domains:wait return at once.
    const one = await cli.run('domains:wait', 'www.example.com', '-a', 'shop');
    expect(one).toMatchObject({ code: 0, stdout: '' });
    expect(one.stderr).toContain('Waiting for www.example.com... done');
    expect(await cli.run('domains:wait', '-a', 'shop')).toMatchObject({ code: 0 });

    const info = await cli.run('domains:info', 'www.example.com', '-a', 'shop');
    expect(info.code).toBe(0);
    const id = (await t.prisma.domain.findUniqueOrThrow({ where: { hostname: 'www.example.com' } }))
      .id;
    expect(info.stdout).toMatch(/^app: +shop$/m);
    expect(info.stdout).toMatch(/^cname: +shop\.apps\.example\.test$/m);
    expect(info.stdout).toMatch(/^hostname: +www\.example\.com$/m);
    expect(info.stdout).toMatch(new RegExp(`^id: +${id}$`, 'm'));
    expect(info.stdout).toMatch(/^kind: +custom$/m);
    expect(info.stdout).toMatch(/^status: +succeeded$/m);

    const removed = await cli.run('domains:remove', 'www.example.com', '-a', 'shop');
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain('Removing www.example.com from shop... done');
    const after = await cli.run('domains', '-a', 'shop');
    expect(after.stdout).not.toContain('www.example.com');
    expect(after.stdout).toMatch(row('example.com', 'ALIAS or ANAME', 'shop.apps.example.test'));
    expect(await t.prisma.domain.count()).toBe(1);
  });

  it("shows drydock's refusals: a taken name, a wildcard, the default domain", async () => {
    expect((await cli.run('domains:add', 'taken.example.com', '-a', 'shop')).code).toBe(0);
    const taken = await cli.run('domains:add', 'taken.example.com', '-a', 'shop');
    expect(taken.code).not.toBe(0);
    expect(unwrap(taken.stderr)).toContain('Error: taken.example.com is already a domain of shop.');
    expect(taken.stderr).toContain('Error ID: conflict');

    const wildcard = await cli.run('domains:add', '*.example.com', '-a', 'shop');
    expect(wildcard.code).not.toBe(0);
    expect(unwrap(wildcard.stderr)).toContain('*.example.com is a wildcard domain');
    expect(wildcard.stderr).toContain('Error ID: invalid_params');

    const own = await cli.run('domains:remove', 'shop.apps.example.test', '-a', 'shop');
    expect(own.code).not.toBe(0);
    expect(unwrap(own.stderr)).toContain(
      'shop.apps.example.test is the default domain of shop; it cannot be removed',
    );
    expect((await cli.run('domains', '-a', 'shop')).stdout).toContain('shop.apps.example.test');
  });
});
