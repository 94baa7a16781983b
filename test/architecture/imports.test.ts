import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The product's import graph, read from the sources: every relative import of lambda/, cli/, lib/
 * and bin/. Unit tests (`*.test.ts`) sit beside their module but are not product: nothing imports
 * them, and what they import is no product edge.
 */
const ROOT = resolve(__dirname, '../..');
const PRODUCT = ['lambda', 'cli', 'lib', 'bin'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

function importGraph(): Map<string, string[]> {
  const files = PRODUCT.flatMap((dir) => sourceFiles(join(ROOT, dir)));
  const inProduct = new Set(files);
  return new Map(
    files.map((file) => {
      const text = readFileSync(file, 'utf8');
      const targets = [...text.matchAll(IMPORT)]
        .map((match) => resolveImport(file, (match[1] ?? match[2])!))
        .filter((target): target is string => target !== undefined && inProduct.has(target));
      return [relative(ROOT, file), [...new Set(targets.map((target) => relative(ROOT, target)))]];
    }),
  );
}

/** Each cycle once, as the path that closes it (depth-first search, grey/black marking). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const graph = importGraph();
const folderOf = (file: string) => file.split('/').slice(0, 2).join('/');
const imports = (fromFolder: string, toFolder: string, allowed: readonly string[]) =>
  [...graph].flatMap(([file, targets]) =>
    folderOf(file) === fromFolder ? targets.filter((t) => folderOf(t) === toFolder && !allowed.includes(t)).map((t) => `${file} -> ${t}`) : [],
  );

describe('the import graph of lambda/, cli/, lib/ and bin/', () => {
  it('reads the product (a walk that finds nothing would prove nothing)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('lambda/converge.ts')).toContain('lambda/act/execute.ts');
  });

  it('has no import cycle', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  // Folders import each other one way only; the exceptions are files that import nothing back.
  it.each<[string, string, string[]]>([
    ['lambda/observe', 'lambda/plan', []],
    ['lambda/observe', 'lambda/act', []],
    ['lambda/plan', 'lambda/act', []],
    ['lambda/domain', 'lambda/observe', []],
    ['lambda/domain', 'lambda/plan', []],
    // The port is the domain's view of Datadog: its types may be named, nothing else.
    ['lambda/domain', 'lambda/datadog', ['lambda/datadog/port.ts']],
    // The configuration names Datadog's sites (a table); the factory reads the configuration.
    ['lambda/config', 'lambda/datadog', ['lambda/datadog/sites.ts']],
  ])('%s imports nothing from %s but %j (lower layers never reach up)', (from, to, allowed) => {
    expect(imports(from, to, allowed)).toEqual([]);
  });
});
