import { Backoff } from '../common/http-client/backoff.js';
import type { ManagedDyno } from './managed-dyno.js';
import { ListingSync, Scope } from './listing-sync.js';

const dyno = (appId: string, name: string) => ({ app: { id: appId }, name }) as ManagedDyno;

describe('ListingSync', () => {
  it('lists the apps asked about during a full listing after it, never alongside it', async () => {
    const applied: string[] = [];
    let fullInFlight = false;
    const overlaps: string[] = [];
    const gates: Array<() => void> = [];
    const api = {
      listAll: async () => {
        fullInFlight = true;
        await new Promise<void>((resolve) => gates.push(resolve));
        fullInFlight = false;
        return { version: 7, dynos: [dyno('a', 'web.1')] };
      },
      listApp: async (appId: string) => {
        if (fullInFlight) overlaps.push(appId);
        await new Promise<void>((resolve) => gates.push(resolve));
        return appId === 'gone' ? null : [dyno(appId, 'web.1')];
      },
    };
    const sync = new ListingSync({
      api,
      apply: (listed: ManagedDyno[], scope: Scope) =>
        applied.push(`${scope === 'all' ? 'all' : [...scope].join()}:${listed.length}`),
      log: () => undefined,
    });
    const version = sync.all();
    sync.app('b');
    sync.app('gone');
    const open = async (count: number) => {
      for (let i = 0; i < count; i++) {
        while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
        gates.shift()!();
      }
    };
    await open(1);
    expect(await version).toBe(7);
    // Asked while the full listing ran: the apps are listed after it, a gone app as empty.
    await open(2);
    await sync.stop();
    expect(applied).toEqual(['all:1', 'b:1', 'gone:0']);
    expect(overlaps).toEqual([]);
  });

  it('applies nothing while listing fails, and retries until it works', async () => {
    const applied: Scope[] = [];
    let failures = 2;
    const errors: string[] = [];
    const sync = new ListingSync({
      api: {
        listAll: async () => {
          if (failures-- > 0) throw new Error('ECONNREFUSED');
          return { version: 3, dynos: [] };
        },
        listApp: async () => [],
      },
      apply: (_listed, scope) => applied.push(scope),
      log: (_at, message) => errors.push(message),
      backoff: new Backoff(0, 0),
    });
    expect(await sync.all()).toBe(3);
    expect(applied).toEqual(['all']);
    expect(errors).toEqual([
      'listing failed: dynos keep running as they are',
      'listing failed: dynos keep running as they are',
    ]);
    await sync.stop();
  });
});
