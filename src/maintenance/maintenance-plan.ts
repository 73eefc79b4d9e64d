import { InvalidParamsError } from '../common/errors/api-errors.js';

/** One process type that turning maintenance on scaled to 0, with the quantity it had. */
export interface SnapshotEntry {
  type: string;
  quantity: number;
}

/** A recorded type that the restore left alone, and why. */
export interface KeptEntry {
  type: string;
  /** What it runs now: the operator's value; null when the type is gone. */
  quantity: number | null;
  recorded: number;
  why: string;
}

export interface RestorePlan {
  restore: SnapshotEntry[];
  kept: KeptEntry[];
}

/** What a maintenance brings besides the flag: set when it turns on, or amended while it lasts. */
export interface MaintenancePlan {
  reason: string | null;
  scaleDown: string[];
  freeze: boolean;
  /** Seconds after it turned on that maintenance is overdue; null: never. */
  maxDuration: number | null;
  autoOffWhenOverdue: boolean;
  /** The window that turned it on, and when that window turns it off (null: it does not). */
  windowId: string | null;
  windowEndsAt: Date | null;
}

export const NO_PLAN: MaintenancePlan = {
  reason: null,
  scaleDown: [],
  freeze: false,
  maxDuration: null,
  autoOffWhenOverdue: false,
  windowId: null,
  windowEndsAt: null,
};

/** The snapshot column as entries; anything else stored there (never written) reads as none. */
export function parseSnapshot(value: unknown): SnapshotEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is SnapshotEntry =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as SnapshotEntry).type === 'string' &&
      Number.isInteger((entry as SnapshotEntry).quantity),
  );
}

/**
 * What turning maintenance off gives back: each recorded type gets its recorded quantity,
 * unless someone scaled it during maintenance (their value stands) or it is gone.
 */
export function planRestore(
  snapshot: SnapshotEntry[],
  formation: { type: string; quantity: number }[],
): RestorePlan {
  const current = new Map(formation.map((row) => [row.type, row.quantity]));
  const plan: RestorePlan = { restore: [], kept: [] };
  for (const entry of snapshot) {
    const now = current.get(entry.type);
    if (now === undefined) {
      plan.kept.push({
        type: entry.type,
        quantity: null,
        recorded: entry.quantity,
        why: `${entry.type} is no longer one of the app's process types`,
      });
    } else if (now !== 0) {
      plan.kept.push({
        type: entry.type,
        quantity: now,
        recorded: entry.quantity,
        why: `${entry.type} was scaled to ${now} during maintenance; that value stands`,
      });
    } else {
      plan.restore.push(entry);
    }
  }
  return plan;
}

/**
 * The types `scale_down` names, each once, checked against the app's process types: an
 * unknown type is a 422 naming the ones there are. In a Private Space the routing proxy
 * runs on the web dynos, so web cannot be taken to 0 this way.
 */
export function checkScaleDown(
  requested: string[],
  app: { name: string; space: { name: string } | null },
  types: string[],
): string[] {
  const wanted = [...new Set(requested)];
  const unknown = wanted.filter((type) => !types.includes(type));
  if (unknown.length) {
    throw new InvalidParamsError(
      `scale_down names ${unknown.join(', ')}, which ${app.name} does not have ` +
        `(its process types: ${types.join(', ') || 'none'}).`,
    );
  }
  if (wanted.includes('web') && app.space) {
    throw new InvalidParamsError(
      `Refusing to scale web down for ${app.name}: it runs in the Private Space ${app.space.name}, ` +
        'where the routing proxy runs on the web dynos. With no web dynos, visitors would get errors ' +
        'instead of the maintenance page. Leave web out of scale_down.',
    );
  }
  return wanted;
}

/**
 * When something will turn this maintenance off: its window's end, or its max duration
 * with auto-off when overdue, whichever comes first; null when nothing will.
 */
export function plannedEnd(plan: MaintenancePlan, since: Date): Date | null {
  const ends: number[] = [];
  if (plan.windowEndsAt) ends.push(plan.windowEndsAt.getTime());
  if (plan.autoOffWhenOverdue && plan.maxDuration !== null) {
    ends.push(since.getTime() + plan.maxDuration * 1000);
  }
  return ends.length ? new Date(Math.min(...ends)) : null;
}
