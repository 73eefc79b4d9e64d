import { InvalidParamsError } from '../common/errors/api-errors.js';
import {
  checkScaleDown,
  MaintenancePlan,
  NO_PLAN,
  parseSnapshot,
  plannedEnd,
  planRestore,
} from './maintenance-plan.js';

describe('parseSnapshot', () => {
  it('reads the entries the switch wrote', () => {
    expect(
      parseSnapshot([
        { type: 'worker', quantity: 3 },
        { type: 'clock', quantity: 0 },
      ]),
    ).toEqual([
      { type: 'worker', quantity: 3 },
      { type: 'clock', quantity: 0 },
    ]);
  });

  it.each([null, undefined, {}, 'worker', 3, { type: 'worker', quantity: 3 }])(
    'reads %p, which is no list, as no snapshot',
    (value) => {
      expect(parseSnapshot(value)).toEqual([]);
    },
  );

  it('drops entries that are not a type with a whole quantity', () => {
    expect(
      parseSnapshot([
        null,
        'worker',
        { type: 'worker' },
        { quantity: 2 },
        { type: 7, quantity: 2 },
        { type: 'clock', quantity: 1.5 },
        { type: 'clock', quantity: '2' },
        { type: 'web', quantity: 2 },
      ]),
    ).toEqual([{ type: 'web', quantity: 2 }]);
  });
});

describe('planRestore', () => {
  it('gives every type still at 0 its recorded quantity', () => {
    expect(
      planRestore(
        [
          { type: 'worker', quantity: 3 },
          { type: 'clock', quantity: 1 },
        ],
        [
          { type: 'web', quantity: 2 },
          { type: 'worker', quantity: 0 },
          { type: 'clock', quantity: 0 },
        ],
      ),
    ).toEqual({
      restore: [
        { type: 'worker', quantity: 3 },
        { type: 'clock', quantity: 1 },
      ],
      kept: [],
    });
  });

  it("keeps an operator's value for a type scaled during maintenance, saying so", () => {
    expect(
      planRestore(
        [
          { type: 'worker', quantity: 3 },
          { type: 'clock', quantity: 2 },
        ],
        [
          { type: 'worker', quantity: 0 },
          { type: 'clock', quantity: 1 },
        ],
      ),
    ).toEqual({
      restore: [{ type: 'worker', quantity: 3 }],
      kept: [
        {
          type: 'clock',
          quantity: 1,
          recorded: 2,
          why: 'clock was scaled to 1 during maintenance; that value stands',
        },
      ],
    });
  });

  it('keeps, with no quantity, a type the app no longer has', () => {
    expect(planRestore([{ type: 'clock', quantity: 2 }], [{ type: 'web', quantity: 1 }])).toEqual({
      restore: [],
      kept: [
        {
          type: 'clock',
          quantity: null,
          recorded: 2,
          why: "clock is no longer one of the app's process types",
        },
      ],
    });
  });

  it('has nothing to do without a snapshot', () => {
    expect(planRestore([], [{ type: 'web', quantity: 1 }])).toEqual({ restore: [], kept: [] });
  });
});

describe('checkScaleDown', () => {
  const plain = { name: 'shop', space: null };
  const spaced = { name: 'shop', space: { name: 'nasa' } };

  it('returns each named type once', () => {
    expect(
      checkScaleDown(['worker', 'clock', 'worker'], plain, ['web', 'worker', 'clock']),
    ).toEqual(['worker', 'clock']);
    expect(checkScaleDown([], plain, [])).toEqual([]);
  });

  it("refuses an unknown type with a 422 naming it and the app's types", () => {
    expect(() => checkScaleDown(['worker', 'cron'], plain, ['web', 'worker'])).toThrow(
      InvalidParamsError,
    );
    expect(() => checkScaleDown(['worker', 'cron'], plain, ['web', 'worker'])).toThrow(
      'scale_down names cron, which shop does not have (its process types: web, worker).',
    );
    expect(() => checkScaleDown(['worker'], plain, [])).toThrow('(its process types: none)');
  });

  it('refuses web in a Private Space, where the routing proxy runs on it', () => {
    expect(() => checkScaleDown(['web'], spaced, ['web', 'worker'])).toThrow(InvalidParamsError);
    expect(() => checkScaleDown(['worker', 'web'], spaced, ['web', 'worker'])).toThrow(
      /Refusing to scale web down for shop: it runs in the Private Space nasa/,
    );
    expect(checkScaleDown(['worker'], spaced, ['web', 'worker'])).toEqual(['worker']);
    expect(checkScaleDown(['web'], plain, ['web'])).toEqual(['web']);
  });
});

describe('plannedEnd', () => {
  const since = new Date('2026-12-01T18:00:00Z');
  const plan = (overrides: Partial<MaintenancePlan>): MaintenancePlan => ({
    ...NO_PLAN,
    ...overrides,
  });

  it('is null when nothing will turn maintenance off', () => {
    expect(plannedEnd(NO_PLAN, since)).toBeNull();
    // An overdue alert alone turns nothing off, nor does auto-off without a max duration.
    expect(plannedEnd(plan({ maxDuration: 60 }), since)).toBeNull();
    expect(plannedEnd(plan({ autoOffWhenOverdue: true }), since)).toBeNull();
  });

  it("is the window's end", () => {
    const windowEndsAt = new Date('2026-12-01T20:00:00Z');
    expect(plannedEnd(plan({ windowEndsAt }), since)).toEqual(windowEndsAt);
  });

  it('is the max duration after it turned on, with auto-off when overdue', () => {
    expect(plannedEnd(plan({ maxDuration: 90, autoOffWhenOverdue: true }), since)).toEqual(
      new Date('2026-12-01T18:01:30Z'),
    );
  });

  it('is whichever comes first of the two', () => {
    const windowEndsAt = new Date('2026-12-01T19:00:00Z');
    const overdueFirst = plan({ windowEndsAt, maxDuration: 1800, autoOffWhenOverdue: true });
    expect(plannedEnd(overdueFirst, since)).toEqual(new Date('2026-12-01T18:30:00Z'));
    const windowFirst = plan({ windowEndsAt, maxDuration: 7200, autoOffWhenOverdue: true });
    expect(plannedEnd(windowFirst, since)).toEqual(windowEndsAt);
  });
});
