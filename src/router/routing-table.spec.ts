import {
  hostKey,
  parseAddress,
  parseChange,
  parseRoutingEntry,
  RoutingEntry,
  RoutingProtocolError,
  RoutingTable,
} from './routing-table.js';

function entry(overrides: Partial<RoutingEntry> = {}): RoutingEntry {
  return {
    id: 'id-myapp',
    name: 'myapp',
    hosts: ['myapp.localhost'],
    maintenance: false,
    maintenance_ends_at: null,
    maintenance_page_url: null,
    web: { quantity: 1, size: 'Standard-1X' },
    space: null,
    private_space: false,
    web_dynos: [{ name: 'web.1', address: '127.0.0.1:5001' }],
    ...overrides,
  };
}

describe('hostKey', () => {
  it.each([
    ['myapp.localhost', 'myapp.localhost'],
    ['MyApp.LocalHost:8080', 'myapp.localhost'],
    ['myapp.localhost.', 'myapp.localhost'],
    ['myapp.localhost.:80', 'myapp.localhost'],
    ['[::1]:8080', '[::1]'],
    ['', ''],
    [undefined, ''],
  ])('turns %p into %p', (header, key) => {
    expect(hostKey(header)).toBe(key);
  });
});

describe('parseAddress', () => {
  it('reads host:port and [v6]:port, and refuses anything else', () => {
    expect(parseAddress('127.0.0.1:5001')).toEqual({ host: '127.0.0.1', port: 5001 });
    expect(parseAddress('dyno-7.internal:80')).toEqual({ host: 'dyno-7.internal', port: 80 });
    expect(parseAddress('[::1]:5001')).toEqual({ host: '::1', port: 5001 });
    for (const bad of [
      '127.0.0.1',
      ':5001',
      '127.0.0.1:0',
      '127.0.0.1:70000',
      'http://x:1',
      'a b:1',
    ]) {
      expect(parseAddress(bad)).toBeNull();
    }
  });
});

describe('RoutingTable', () => {
  /** Loads the table as a snapshot of `apps` at `version` would. */
  const load = (table: RoutingTable, apps: RoutingEntry[], version = 42) =>
    table.replaceRoutes(
      version,
      apps.map((app) => table.route(app)),
    );

  it('finds apps by their hosts and by <name>.<APPS_DOMAIN>, case-insensitively', () => {
    const table = new RoutingTable('apps.example.com');
    load(table, [entry({ hosts: ['WWW.MyApp.com'] })]);
    expect(table.version).toBe(42);
    expect(table.lookup(hostKey('www.myapp.com'))?.name).toBe('myapp');
    expect(table.lookup(hostKey('MYAPP.apps.example.com:443'))?.name).toBe('myapp');
    expect(table.lookup('other.apps.example.com')).toBeUndefined();
  });

  it('decides maintenance, H14 and proxying, with the Private Space caveat', () => {
    const table = new RoutingTable('localhost');
    const space = { name: 'nasa', shield: false };
    load(table, [
      entry({ id: 'a', name: 'up' }),
      entry({ id: 'b', name: 'down', maintenance: true }),
      entry({ id: 'c', name: 'zero', web: { quantity: 0, size: null }, web_dynos: [] }),
      entry({ id: 'd', name: 'starting', web_dynos: [] }),
      entry({
        id: 'e',
        name: 'private',
        maintenance: true,
        space,
        web: { quantity: 0, size: null },
      }),
      entry({ id: 'f', name: 'private-up', maintenance: true, space, private_space: true }),
      entry({ id: 'g', name: 'zero-maint', maintenance: true, web: { quantity: 0, size: null } }),
    ]);
    const mode = (name: string) => table.lookup(`${name}.localhost`)?.mode;
    expect(mode('up')).toBe('proxy');
    expect(mode('down')).toBe('maintenance');
    expect(mode('zero')).toBe('no-web-dynos');
    expect(mode('starting')).toBe('no-web-dynos');
    expect(mode('private')).toBe('no-web-dynos');
    expect(mode('private-up')).toBe('maintenance');
    expect(mode('zero-maint')).toBe('maintenance');
  });

  it('round-robins over the web dynos and skips unusable addresses', () => {
    const table = new RoutingTable('localhost');
    load(table, [
      entry({
        web_dynos: [
          { name: 'web.1', address: '127.0.0.1:5001' },
          { name: 'web.2', address: 'nonsense' },
          { name: 'web.3', address: '127.0.0.1:5003' },
        ],
      }),
    ]);
    const route = table.lookup('myapp.localhost')!;
    expect([1, 2, 3, 4].map(() => route.nextDyno().name)).toEqual([
      'web.1',
      'web.3',
      'web.1',
      'web.3',
    ]);
  });

  it('applies changes in order and ignores replays of versions it has', () => {
    const table = new RoutingTable('localhost');
    load(table, [entry()]);
    expect(
      table.apply({ version: 43, app_id: 'id-myapp', routing: entry({ maintenance: true }) })?.mode,
    ).toBe('maintenance');
    expect(table.apply({ version: 43, app_id: 'id-myapp', routing: entry() })).toBeUndefined();
    expect(table.apply({ version: 40, app_id: 'id-myapp', routing: entry() })).toBeUndefined();
    expect(table.lookup('myapp.localhost')?.mode).toBe('maintenance');
    expect(table.version).toBe(43);
  });

  it('moves a renamed app to its new hosts', () => {
    const table = new RoutingTable('localhost');
    load(table, [entry()]);
    table.apply({
      version: 43,
      app_id: 'id-myapp',
      routing: entry({ name: 'renamed', hosts: ['renamed.localhost'] }),
    });
    expect(table.lookup('myapp.localhost')).toBeUndefined();
    expect(table.lookup('renamed.localhost')?.id).toBe('id-myapp');
    expect(table.size).toBe(1);
  });

  it('drops a deleted app, keeping a host another app has claimed since', () => {
    const table = new RoutingTable('localhost');
    load(table, [entry()]);
    table.apply({
      version: 43,
      app_id: 'id-myapp',
      routing: entry({ name: 'old', hosts: ['old.localhost'] }),
    });
    table.apply({ version: 44, app_id: 'id-new', routing: entry({ id: 'id-new', name: 'myapp' }) });
    table.apply({ version: 45, app_id: 'id-myapp', routing: null });
    expect(table.lookup('old.localhost')).toBeUndefined();
    expect(table.lookup('myapp.localhost')?.id).toBe('id-new');
    expect(table.get('id-myapp')).toBeUndefined();
    expect(table.version).toBe(45);
  });

  it('advances the version on changes without routing', () => {
    const table = new RoutingTable('localhost');
    load(table, [entry()]);
    expect(table.apply({ version: 50, app_id: null })).toBeNull();
    expect(table.version).toBe(50);
    expect(table.size).toBe(1);
  });

  it('replaces everything on a re-list', () => {
    const table = new RoutingTable('localhost');
    load(table, [entry()]);
    load(table, [entry({ id: 'other', name: 'other', hosts: [] })], 90);
    expect(table.lookup('myapp.localhost')).toBeUndefined();
    expect(table.lookup('other.localhost')?.id).toBe('other');
    expect(table.version).toBe(90);
  });
});

describe('parsing the control plane answers', () => {
  it('reads an entry and a change, defaulting what is missing', () => {
    expect(parseRoutingEntry({ id: 'x', name: 'x', web: {}, extra: 1 })).toEqual({
      id: 'x',
      name: 'x',
      hosts: [],
      maintenance: false,
      maintenance_ends_at: null,
      maintenance_page_url: null,
      web: { quantity: 0, size: null },
      space: null,
      private_space: false,
      web_dynos: [],
    });
    expect(parseChange({ version: 4, app_id: 'x', routing: null })).toMatchObject({
      version: 4,
      routing: null,
    });
    expect(parseChange({ version: 5, app_id: null })).not.toHaveProperty('routing');
  });

  it('refuses answers the router cannot trust', () => {
    expect(() => parseRoutingEntry({ name: 'no-id' })).toThrow(RoutingProtocolError);
    expect(() => parseRoutingEntry([])).toThrow(RoutingProtocolError);
    expect(() => parseChange({ version: '7' })).toThrow(RoutingProtocolError);
  });

  it('accepts only http(s) maintenance page URLs', () => {
    const page = (url: unknown) =>
      parseRoutingEntry({ id: 'x', name: 'x', maintenance_page_url: url }).maintenance_page_url;
    expect(page('https://s3.amazonaws.com/b/page.html')).toBe(
      'https://s3.amazonaws.com/b/page.html',
    );
    expect(page('file:///etc/passwd')).toBeNull();
  });
});
