// Plain ESM so `npm run lint` can run it before any build.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * The layering of src/, as data. A folder is the first path segment under src/; each file
 * directly in src/ (main.ts, app.module.ts, ...) is its own unit at the top, the composition
 * root: it may import anything and no folder may import it.
 */
export const LAYER_RULES = {
  // Generated code is read like a package: not scanned, imports of it not counted.
  ignoredFolders: ['generated'],
  // Entry points that build the app like main.ts does, so they may import the composition root.
  entryFolders: ['scripts'],
  // The only folders each of these may import (besides itself); packages are always allowed.
  mayImport: {
    common: [],
    config: ['common'],
    'dyno-manager': ['common', 'runtime'],
    router: ['common', 'runtime'],
    runtime: ['common'],
  },
};

function isSource(name) {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.spec.ts');
}

function listSources(srcDir, ignoredFolders) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (dir === srcDir && ignoredFolders.includes(entry.name)) continue;
        walk(full);
      } else if (entry.isFile() && isSource(entry.name)) {
        files.push(full);
      }
    }
  };
  walk(srcDir);
  return files.sort();
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names, the way `nodenext` resolves it for TypeScript sources. */
function resolveRelative(fromFile, specifier) {
  const target = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [target, `${target}.ts`, path.join(target, 'index.ts')];
  if (target.endsWith('.js')) candidates.unshift(`${target.slice(0, -3)}.ts`);
  return candidates.find(isFile) ?? null;
}

/**
 * Reads every static import, `import type`, `export ... from`, `import()` and `require()`
 * with a string literal. Type-only imports count: they are a dependency of the design even
 * though they vanish from the emitted JavaScript.
 */
function importedSpecifiers(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

function unitOf(srcDir, file) {
  const segments = path.relative(srcDir, file).split(path.sep);
  return { name: segments[0], topLevel: segments.length === 1 };
}

/** Strongly connected components of `graph` (Map of node -> Set of nodes), by Tarjan. */
function stronglyConnected(graph) {
  const index = new Map();
  const lowLink = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node));
    stack.push(node);
    onStack.add(node);
    for (const next of [...graph.get(node)].sort()) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node), lowLink.get(next)));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node), index.get(next)));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** The shortest path from `from` to `to` inside `members`, ties broken by name. */
function shortestPath(graph, members, from, to) {
  const previous = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === to) break;
    for (const next of [...graph.get(node)].sort()) {
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  const route = [];
  for (let node = to; node !== null; node = previous.get(node)) route.unshift(node);
  return route;
}

/** The cycle written from its smallest member, so each cycle has one spelling. */
function canonical(cycle) {
  const start = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}

function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks the layering of the TypeScript sources under `srcDir`. Paths in the result are
 * written from the parent of `srcDir` (`src/apps/apps.service.ts`), with forward slashes.
 */
export function checkLayers(srcDir, rules = LAYER_RULES) {
  const root = path.resolve(srcDir);
  const display = (file) =>
    [path.basename(root), ...path.relative(root, file).split(path.sep)].join('/');

  const graph = new Map();
  const fileEdges = new Map();
  const folders = new Set();
  const unresolved = [];
  const violationEdges = new Map();
  const addViolation = (from, to, rule, edge) => {
    const key = `${from}\0${to}\0${rule}`;
    if (!violationEdges.has(key)) violationEdges.set(key, { from, to, rule, edges: [] });
    violationEdges.get(key).edges.push(edge);
  };

  for (const file of listSources(root, rules.ignoredFolders)) {
    const from = unitOf(root, file);
    if (!from.topLevel) folders.add(from.name);
    if (!graph.has(from.name)) graph.set(from.name, new Set());
    const targets = new Set();
    for (const specifier of importedSpecifiers(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      if (target !== null) targets.add(target);
      else if (path.resolve(path.dirname(file), specifier).startsWith(root + path.sep)) {
        unresolved.push({ from: display(file), specifier });
      }
    }
    for (const target of targets) {
      if (!target.startsWith(root + path.sep)) continue;
      const to = unitOf(root, target);
      if (!to.topLevel && rules.ignoredFolders.includes(to.name)) continue;
      if (to.name === from.name) continue;
      const edge = { from: display(file), to: display(target) };

      graph.get(from.name).add(to.name);
      if (!graph.has(to.name)) graph.set(to.name, new Set());
      const arrow = `${from.name}\0${to.name}`;
      if (!fileEdges.has(arrow)) fileEdges.set(arrow, []);
      fileEdges.get(arrow).push(edge);

      if (to.topLevel && !from.topLevel && !rules.entryFolders.includes(from.name)) {
        addViolation(from.name, to.name, 'a folder may not import the composition root', edge);
      }
      const allowed = rules.mayImport[from.name];
      if (!from.topLevel && allowed && !allowed.includes(to.name)) {
        const only = allowed.length === 0 ? 'nothing outside itself' : `only ${allowed.join(', ')}`;
        addViolation(from.name, to.name, `${from.name} may import ${only}`, edge);
      }
    }
  }

  const cycles = [];
  for (const component of stronglyConnected(graph)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const seen = new Set();
    // One shortest cycle per arrow of the component shows every arrow there is to cut,
    // without enumerating the (exponentially many) cycles of a large knot.
    for (const from of component) {
      for (const to of [...graph.get(from)].sort()) {
        if (!members.has(to)) continue;
        const cycle = canonical(shortestPath(graph, members, to, from));
        const key = cycle.join('\0');
        if (seen.has(key)) continue;
        seen.add(key);
        const arrows = cycle.map((unit, i) => [unit, cycle[(i + 1) % cycle.length]]);
        cycles.push({
          units: [...cycle, cycle[0]],
          edges: arrows.flatMap(([a, b]) => fileEdges.get(`${a}\0${b}`)),
        });
      }
    }
  }
  cycles.sort(
    (a, b) => a.units.length - b.units.length || compareStrings(a.units.join(), b.units.join()),
  );

  const violations = [...violationEdges.values()].sort(
    (a, b) =>
      compareStrings(a.from, b.from) ||
      compareStrings(a.to, b.to) ||
      compareStrings(a.rule, b.rule),
  );
  const byEdge = (a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to);
  for (const entry of [...cycles, ...violations]) entry.edges.sort(byEdge);
  unresolved.sort(
    (a, b) => compareStrings(a.from, b.from) || compareStrings(a.specifier, b.specifier),
  );

  return { folders: [...folders].sort(), cycles, violations, unresolved };
}

/** The report as printed: every cycle and violation with its file imports, then one summary. */
export function formatReport(result) {
  const lines = [];
  for (const cycle of result.cycles) {
    lines.push(`cycle: ${cycle.units.join(' -> ')}`);
    for (const edge of cycle.edges) lines.push(`  ${edge.from} -> ${edge.to}`);
  }
  for (const violation of result.violations) {
    lines.push(`violation: ${violation.from} -> ${violation.to} (${violation.rule})`);
    for (const edge of violation.edges) lines.push(`  ${edge.from} -> ${edge.to}`);
  }
  for (const { from, specifier } of result.unresolved) {
    lines.push(`unresolved: ${from} imports '${specifier}', which names no file`);
  }
  const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const problems = result.violations.length + result.unresolved.length;
  lines.push(
    `layers: ${count(result.folders.length, 'folder')}, ${count(result.cycles.length, 'cycle')}, ${count(problems, 'violation')}`,
  );
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = checkLayers(fileURLToPath(new URL('..', import.meta.url)));
  for (const line of formatReport(result)) console.log(line);
  const clean =
    result.cycles.length === 0 && result.violations.length === 0 && result.unresolved.length === 0;
  process.exitCode = clean ? 0 : 1;
}
