import type { ManagedDyno } from './managed-dyno.js';
import { planReconcile, SlotView } from './reconcile.js';

function dyno(name: string, overrides: Partial<ManagedDyno> = {}): ManagedDyno {
  const type = name.split('.')[0];
  return {
    id: `id-${name}`,
    name,
    type,
    command: type === 'web' ? 'node server.js' : 'sleep 1000',
    size: 'Standard-1X',
    state: 'starting',
    app: { id: 'app-1', name: 'shop' },
    release: { id: 'rel-1', version: 1 },
    generation: 1,
    address: null,
    env: {},
    slug: null,
    attached: false,
    attach: null,
    ...overrides,
  };
}

function slot(name: string, overrides: Partial<SlotView> = {}): SlotView {
  return { appId: 'app-1', name, dynoId: `id-${name}`, generation: 1, ...overrides };
}

const none = new Set<string>();

describe('planReconcile', () => {
  it('starts what is listed and not followed yet', () => {
    const web = dyno('web.1');
    const worker = dyno('worker.1');
    expect(
      planReconcile({ listed: [web, worker], scope: 'all', slots: [], finished: none }).actions,
    ).toEqual([
      { kind: 'start', key: 'app-1/web.1', dyno: web },
      { kind: 'start', key: 'app-1/worker.1', dyno: worker },
    ]);
  });

  it('stops what the listing no longer holds (scaled down, app deleted)', () => {
    const plan = planReconcile({
      listed: [dyno('web.1')],
      scope: 'all',
      slots: [slot('web.1'), slot('web.2'), slot('web.1', { appId: 'app-gone' })],
      finished: none,
    });
    expect(plan.actions).toEqual([
      { kind: 'update', key: 'app-1/web.1', dyno: dyno('web.1') },
      { kind: 'stop', key: 'app-1/web.2' },
      { kind: 'stop', key: 'app-gone/web.1' },
    ]);
  });

  it('leaves the apps a listing of some apps does not cover alone', () => {
    const plan = planReconcile({
      listed: [],
      scope: new Set(['app-1']),
      slots: [slot('web.1'), slot('web.1', { appId: 'app-2' })],
      finished: none,
    });
    expect(plan.actions).toEqual([{ kind: 'stop', key: 'app-1/web.1' }]);
  });

  it('replaces a process of an older generation or of another dyno under the same name', () => {
    const restarted = dyno('web.1', { generation: 2 });
    const recreated = dyno('web.2', { id: 'id-web.2-again' });
    const plan = planReconcile({
      listed: [restarted, recreated],
      scope: 'all',
      slots: [slot('web.1'), slot('web.2')],
      finished: none,
    });
    expect(plan.actions).toEqual([
      { kind: 'replace', key: 'app-1/web.1', dyno: restarted, reason: 'new generation' },
      { kind: 'replace', key: 'app-1/web.2', dyno: recreated, reason: 'new dyno' },
    ]);
  });

  it('ignores a listing older than the generation it follows', () => {
    const plan = planReconcile({
      listed: [dyno('web.1', { generation: 3 })],
      scope: 'all',
      slots: [slot('web.1', { generation: 4 })],
      finished: none,
    });
    expect(plan.actions).toEqual([]);
  });

  it('runs a one-off dyno once: not after it finished here, nor once it is reported ended', () => {
    const ran = dyno('run.1');
    const crashed = dyno('run.2', { state: 'crashed' });
    const fresh = dyno('run.3');
    const plan = planReconcile({
      listed: [ran, crashed, fresh],
      scope: 'all',
      slots: [],
      finished: new Set([ran.id]),
    });
    expect(plan.actions).toEqual([{ kind: 'start', key: 'app-1/run.3', dyno: fresh }]);
  });

  it('forgets finished one-offs once a listing covering their app no longer holds them', () => {
    const finishedApps = new Map([
      ['id-run.1', 'app-1'],
      ['id-run.2', 'app-1'],
      ['id-run.9', 'app-2'],
    ]);
    const finished = new Set(finishedApps.keys());
    const listed = [dyno('run.2')];
    expect(
      planReconcile({ listed, scope: new Set(['app-1']), slots: [], finished, finishedApps })
        .forget,
    ).toEqual(['id-run.1']);
    expect(
      planReconcile({ listed, scope: 'all', slots: [], finished, finishedApps }).forget,
    ).toEqual(['id-run.1', 'id-run.9']);
  });
});
