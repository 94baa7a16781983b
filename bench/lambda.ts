/**
 * npm run bench -- lambda
 *
 * Bundles each Lambda handler the way the stack does (esbuild, minified CJS, AWS SDK v3
 * external as the Node.js runtime provides it) and measures, in fresh Node processes:
 * the bundle's size and its cold load (process start until the handler module is loaded),
 * against a bare handler bundled and loaded the same way in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(__dirname, '..');
// Inside the repository so that the external @aws-sdk packages resolve from node_modules.
const OUT = join(ROOT, 'node_modules', '.cache', 'bench-lambda');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const HANDLERS = [
  { name: 'intake', entry: 'lambda/handlers/intake.ts' },
  { name: 'worker', entry: 'lambda/handlers/worker.ts' },
  { name: 'reconcile', entry: 'lambda/handlers/reconcile.ts' },
];

function bundle(name: string, entry: string): string {
  const outfile = join(OUT, `${name}.js`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return outfile;
}

/** What the stack gives each function, with a harmless configuration. */
function benchEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111111111111/bench.fifo',
    DD_AWS_ORG_CONFIG: '{}',
  };
}

/** Milliseconds from process start to the handler module loaded, measured inside a fresh process. */
function coldLoadMs(file: string): number {
  const script = `require(${JSON.stringify(file)}); process.stdout.write(String(performance.now()))`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: benchEnv(),
  });
  if (result.status !== 0) throw new Error(`loading ${file} failed:\n${result.stderr}`);
  return Number(result.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The AWS SDK clients a bundle really loads at start (lazily imported ones excluded): what any handler doing the same must load. */
function sdkFloor(name: string, file: string): string {
  const script =
    `require(${JSON.stringify(file)});` +
    "const names = Object.keys(require.cache).map((k) => (k.match(/node_modules\\/(@aws-sdk\\/client-[a-z0-9-]+)\\//) || [])[1]).filter(Boolean);" +
    'process.stdout.write(JSON.stringify([...new Set(names)].sort()))';
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: benchEnv() });
  if (result.status !== 0) throw new Error(`loading ${file} failed:\n${result.stderr}`);
  const packages = JSON.parse(result.stdout) as string[];
  const floor = join(OUT, `${name}-sdk-floor.js`);
  writeFileSync(floor, packages.map((p) => `require(${JSON.stringify(p)});`).join('\n') + '\nexports.handler = async () => ({});\n');
  return floor;
}

export function runLambdaBench(): void {
  mkdirSync(OUT, { recursive: true });
  const bareEntry = join(OUT, 'bare-entry.js');
  writeFileSync(bareEntry, 'exports.handler = async () => ({});\n');
  const bare = { name: 'bare handler (baseline)', file: bundle('bare', bareEntry), floor: undefined as string | undefined };
  const handlers = HANDLERS.map((h) => {
    const file = bundle(h.name, h.entry);
    return { name: h.name, file, floor: sdkFloor(h.name, file) };
  });
  const files = [bare.file, ...handlers.flatMap((h) => [h.file, h.floor])];

  // Interleave the runs so that machine noise falls on every target alike.
  const samples = new Map<string, number[]>(files.map((f) => [f, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const file of files) samples.get(file)!.push(coldLoadMs(file));
  }
  const ms = (file: string) => median(samples.get(file)!);
  const baseline = ms(bare.file);
  const rows = [bare, ...handlers].map((t) => {
    const load = ms(t.file);
    const floor = t.floor ? ms(t.floor) : undefined;
    return [
      t.name,
      `${(statSync(t.file).size / 1024).toFixed(1)} KB`,
      `${load.toFixed(0)} ms`,
      `${(load / baseline).toFixed(2)}x`,
      floor === undefined ? '-' : `${floor.toFixed(0)} ms (${(floor / baseline).toFixed(2)}x)`,
      floor === undefined ? '-' : `${Math.max(0, load - floor).toFixed(0)} ms`,
    ];
  });
  const headers = ['function', 'bundle', 'cold load', 'vs bare', 'its AWS SDK clients alone', 'our code on top'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`Lambda cold load: median of ${RUNS} fresh Node ${process.version} processes each (AWS SDK v3 external, as in the runtime)\n\n`);
  process.stdout.write([line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n');
  const worst = Math.max(...rows.slice(1).map((r) => Number(r[3]!.slice(0, -1))));
  process.stdout.write(`\nslowest function: ${worst.toFixed(2)}x the bare handler's cold load (goal: under 1.5x)\n`);
}
