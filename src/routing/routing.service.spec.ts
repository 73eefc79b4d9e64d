import type { Readable } from 'node:stream';
import type { Principal } from '../common/auth/principal.js';
import type { RoutingEntry } from '../common/routing/routing-entry.js';
import { flatJson, NO_COLLABORATORS, ViewEntry } from './routing-entry.js';
import type { RoutingView } from './routing-view.service.js';
import { RoutingService } from './routing.service.js';
import type { WatchHub } from './watch-hub.service.js';

function entry(i: number, ownerId: string, pageUrl: string | null = null): ViewEntry {
  const name = `app-${i}`;
  const routing: RoutingEntry = {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name,
    hosts: [`${name}.localhost`],
    maintenance: i % 3 === 0,
    maintenance_ends_at: null,
    maintenance_page_url: pageUrl,
    web: { quantity: 1, size: 'Standard-1X' },
    space: null,
    private_space: false,
    web_dynos: [{ name: 'web.1', address: `10.0.0.${i % 250}:5000` }],
  };
  return {
    id: routing.id,
    name,
    maintenance: routing.maintenance,
    ownerId,
    collaboratorIds: NO_COLLABORATORS,
    pauseJobs: null,
    windows: [],
    customHosts: [],
    json: flatJson(routing),
  };
}

function principal(accountId: string, scopes: Principal['scopes']): Principal {
  return { accountId, email: `${accountId}@example.com`, isAdmin: false, tokenId: 't', scopes };
}

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('RoutingService.snapshot', () => {
  // Enough entries for many chunks, and multi-byte characters, so Content-Length must count bytes.
  const entries = Array.from({ length: 3000 }, (_, i) =>
    entry(
      i,
      i % 2 ? 'alice' : 'bob',
      i === 7 ? 'https://pages.example.com/maintenance-é-ü.html' : null,
    ),
  );
  const view = { version: 42, entries: () => entries.values() } as unknown as RoutingView;
  const service = new RoutingService(view, {} as WatchHub);

  it('streams every entry as one JSON document whose length matches Content-Length', async () => {
    const snapshot = service.snapshot(principal('router', ['routing']));
    const body = await collect(snapshot.body);
    expect(body.length).toBe(snapshot.length);
    expect(snapshot.etag).toBe('"42"');
    const parsed = JSON.parse(body.toString('utf8')) as { version: number; apps: RoutingEntry[] };
    expect(parsed.version).toBe(42);
    expect(parsed.apps.map((app) => app.name)).toEqual(entries.map((e) => e.name));
    expect(parsed.apps[7].maintenance_page_url).toBe(
      'https://pages.example.com/maintenance-é-ü.html',
    );
  });

  it('gives a person only their own apps, and an empty list when they have none', async () => {
    const mine = service.snapshot(principal('alice', ['global']));
    const body = await collect(mine.body);
    expect(body.length).toBe(mine.length);
    const apps = (JSON.parse(body.toString('utf8')) as { apps: RoutingEntry[] }).apps;
    expect(apps).toHaveLength(1500);
    expect(apps.every((app) => Number(app.name.slice(4)) % 2 === 1)).toBe(true);

    const none = service.snapshot(principal('carol', ['global']));
    const empty = await collect(none.body);
    expect(empty.toString('utf8')).toBe('{"version":42,"apps":[]}');
    expect(empty.length).toBe(none.length);
  });

  it('gives a collaborator the apps they collaborate on besides their own, and lookups of them', async () => {
    const shared = { ...entry(1, 'alice'), collaboratorIds: new Set(['carol']) };
    const local = [shared, entry(2, 'alice'), entry(3, 'carol')];
    const byName = new Map(local.map((e) => [e.name, e]));
    const collaborating = new RoutingService(
      {
        version: 9,
        entries: () => local.values(),
        lookup: (name: string) => byName.get(name),
      } as unknown as RoutingView,
      {} as WatchHub,
    );
    const apps = (
      JSON.parse(
        (await collect(collaborating.snapshot(principal('carol', ['global'])).body)).toString(),
      ) as { apps: RoutingEntry[] }
    ).apps;
    expect(apps.map((app) => app.name)).toEqual(['app-1', 'app-3']);
    expect(JSON.parse(collaborating.lookup(principal('carol', ['global']), 'app-1')).name).toBe(
      'app-1',
    );
    expect(() => collaborating.lookup(principal('carol', ['global']), 'app-2')).toThrow(
      'You do not have access to the app app-2.',
    );
    expect(() => collaborating.lookup(principal('dave', ['global']), 'app-1')).toThrow(
      'You do not have access to the app app-1.',
    );
  });

  it('is one version: entries replaced after the call do not change what is streamed', async () => {
    const local = [entry(1, 'alice'), entry(2, 'alice')];
    const changing = new RoutingService(
      { version: 7, entries: () => local.values() } as unknown as RoutingView,
      {} as WatchHub,
    );
    const snapshot = changing.snapshot(principal('router', ['routing']));
    local[1] = entry(99, 'alice');
    const apps = (
      JSON.parse((await collect(snapshot.body)).toString('utf8')) as {
        apps: RoutingEntry[];
      }
    ).apps;
    expect(apps.map((app) => app.name)).toEqual(['app-1', 'app-2']);
  });
});
