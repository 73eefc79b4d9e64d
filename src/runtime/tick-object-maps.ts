import { createHook } from 'node:async_hooks';

// Imported first by the API's and the router's main.ts, before anything else runs.
//
// Node builds each process.nextTick entry as an object literal with two symbol keys, and
// TurboFan builds it inline only while the feedback for those keys has seen one map. The
// feedback holds that map weakly: a full GC while no tick object is alive (V8's memory
// reducer runs them after a few idle seconds) frees it, the next tick object gets a new
// map, the feedback turns megamorphic for good, and every tick object from then on is
// built in the V8 runtime. Four or five ticks per HTTP request made that 12 → 15.5 µs of
// CPU per routing lookup, in every process that had been idle once (bench/README.md).
// One tick object kept for the life of the process keeps its maps alive.

/** The tick object kept alive; exported for the test that checks Node still makes them. */
export const retainedTickObject: object | undefined = captureTickObject();

function captureTickObject(): object | undefined {
  let captured: object | undefined;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') captured = resource;
    },
  });
  // nextTick reports its tick object to init hooks synchronously, so the hook is on for
  // exactly this one call and costs nothing afterwards.
  hook.enable();
  try {
    process.nextTick(() => undefined);
  } finally {
    hook.disable();
  }
  return captured;
}
