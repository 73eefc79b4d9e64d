import type { Benchmark, BenchResult } from './context.js';
import { ROUTER_MAIN } from './settings.js';

export const ROUTER_NOT_BUILT = `router not built: ${ROUTER_MAIN} is missing (npm run build once src/router/ is complete)`;

export function skipped(bench: Benchmark, reason: string): BenchResult {
  return {
    name: bench.name,
    title: bench.title,
    target: bench.target,
    result: 'SKIP',
    rows: [
      { subject: 'skipped', value: reason.split(':')[0], target: bench.target, result: 'SKIP' },
    ],
    notes: [reason],
    details: { skipped: reason },
  };
}
