import { retainedTickObject } from './tick-object-maps.js';

describe('the retained tick object', () => {
  it('is a process.nextTick entry: a callback and the two async id symbols', () => {
    // If Node stopped reporting tick objects to init hooks, nothing would be retained.
    expect(retainedTickObject).toBeDefined();
    expect(typeof (retainedTickObject as { callback?: unknown }).callback).toBe('function');
    // The literal's own two come first; AsyncLocalStorage, where in use, adds its own after.
    const symbols = Object.getOwnPropertySymbols(retainedTickObject).map(String);
    expect(symbols.slice(0, 2)).toEqual([
      'Symbol(async_id_symbol)',
      'Symbol(trigger_async_id_symbol)',
    ]);
  });
});
