import { isOneOff, type ManagedDyno } from './managed-dyno.js';

/** What the manager follows under one dyno name of an app: a process, or one to come. */
export interface SlotView {
  appId: string;
  name: string;
  dynoId: string;
  generation: number;
}

export type ReconcileAction =
  /** Nothing is followed under this name yet: run the dyno. */
  | { kind: 'start'; key: string; dyno: ManagedDyno }
  /** Another dyno or a newer generation: stop what runs, then run this. */
  | { kind: 'replace'; key: string; dyno: ManagedDyno; reason: 'new dyno' | 'new generation' }
  /** The same process goes on; what is known of it (an attach secret, its env) is refreshed. */
  | { kind: 'update'; key: string; dyno: ManagedDyno }
  /** No longer listed (scaled down, app deleted, one-off stopped): stop it. */
  | { kind: 'stop'; key: string };

export interface ReconcilePlan {
  actions: ReconcileAction[];
  /** Finished one-off dynos the listing no longer holds: no need to remember them. */
  forget: string[];
}

export interface ReconcileInput {
  /** A listing: of every app, or of the apps in `scope`. */
  listed: readonly ManagedDyno[];
  scope: 'all' | ReadonlySet<string>;
  slots: readonly SlotView[];
  /** Ids of one-off dynos whose command already ran here: never run again. */
  finished: ReadonlySet<string>;
  /** App of each finished one-off, to tell which ones a listing of some apps covers. */
  finishedApps?: ReadonlyMap<string, string>;
}

export function slotKey(appId: string, name: string): string {
  return `${appId}/${name}`;
}

/**
 * From a listing and what the manager follows, what to do. A listing older than what is
 * followed (a lower generation of the same dyno, read before a newer one) changes nothing,
 * so listings that answer out of order cannot undo a restart. A one-off dyno runs once: not
 * again once finished here, nor when the listing already tells it ended.
 */
export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const inScope = (appId: string) => input.scope === 'all' || input.scope.has(appId);
  const slots = new Map(input.slots.map((slot) => [slotKey(slot.appId, slot.name), slot]));
  const listed = new Map<string, ManagedDyno>();
  for (const dyno of input.listed) {
    if (inScope(dyno.app.id)) listed.set(slotKey(dyno.app.id, dyno.name), dyno);
  }

  const actions: ReconcileAction[] = [];
  for (const [key, dyno] of listed) {
    const slot = slots.get(key);
    const runnable = !isOneOff(dyno) || (!input.finished.has(dyno.id) && !hasEnded(dyno));
    if (!slot) {
      if (runnable) actions.push({ kind: 'start', key, dyno });
    } else if (slot.dynoId !== dyno.id) {
      actions.push(
        runnable ? { kind: 'replace', key, dyno, reason: 'new dyno' } : { kind: 'stop', key },
      );
    } else if (dyno.generation > slot.generation) {
      actions.push(
        runnable ? { kind: 'replace', key, dyno, reason: 'new generation' } : { kind: 'stop', key },
      );
    } else if (dyno.generation === slot.generation) {
      actions.push({ kind: 'update', key, dyno });
    }
  }
  for (const [key, slot] of slots) {
    if (inScope(slot.appId) && !listed.has(key)) actions.push({ kind: 'stop', key });
  }

  const stillListed = new Set(input.listed.map((dyno) => dyno.id));
  const forget = [...input.finished].filter((id) => {
    if (stillListed.has(id)) return false;
    const appId = input.finishedApps?.get(id);
    return input.scope === 'all' || (appId !== undefined && inScope(appId));
  });
  return { actions, forget };
}

/** A one-off dyno whose command ended is finished, whoever reported it. */
function hasEnded(dyno: ManagedDyno): boolean {
  return dyno.state === 'down' || dyno.state === 'crashed';
}
