// Summarizes .cpuprofile files (node --cpu-prof; BENCH_CPU_PROF=1 writes them to
// bench/results/profiles): self time by function and by package, busy time only.
//   node dist/bench/profile-summary.js <file.cpuprofile> [more...] [--top N]
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** Where a function lives: an npm package, a Node internal module, drydock's own code, or V8. */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return `dist/${path.dirname(url.slice(dist + '/dist/'.length))}`;
  return url;
}

function summarize(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + delta);
  }
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (IDLE.has(functionName)) {
      idle += micros;
      continue;
    }
    busy += micros;
    const where = url ? `${owner(url, functionName)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + micros);
    const pkg = owner(url, functionName);
    owners.set(pkg, (owners.get(pkg) ?? 0) + micros);
  }
  // Inclusive time of drydock's own functions (dist/): what each code path costs in total.
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    if (IDLE.has(byId.get(id)!.callFrame.functionName)) continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      const dist = url.indexOf('/dist/');
      if (dist === -1 || url.includes('node_modules/')) continue;
      const key = `${functionName || '(anonymous)'} ${url.slice(dist + 1)}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  const share = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`\n${path.basename(file)}: busy ${ms(busy).trim()}, idle ${ms(idle).trim()}`);
  console.log('  self time by package / module:');
  for (const [name, micros] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${share(micros)} ${ms(micros)}  ${name}`);
  }
  console.log(`  top ${top} drydock functions (dist/) by inclusive time:`);
  for (const [name, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${share(micros)} ${ms(micros)}  ${name}`);
  }
  console.log(`  top ${top} functions by self time:`);
  for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${share(micros)} ${ms(micros)}  ${name}`);
  }
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex === -1 ? 25 : Number(args[topIndex + 1]);
const files = args.filter(
  (arg, i) => arg.endsWith('.cpuprofile') && (topIndex === -1 || i !== topIndex + 1),
);
if (!files.length) {
  console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [...] [--top N]');
  process.exit(2);
}
for (const file of files) summarize(file, top);
