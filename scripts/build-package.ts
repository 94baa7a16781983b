/**
 * npm run build (run by prepack, so by npm pack and npm publish): the package's dist/, from scratch.
 *   dist/dd-aws-org.js            the CLI (scripts/build-cli.mjs, as `prepare` builds it)
 *   dist/lib/, dist/lambda/       the library: tsc -p tsconfig.build.json, CommonJS + .d.ts,
 *                                 pruned to the files lib/index.ts reaches at run time or in its types
 *   dist/handlers/<name>/         the three Lambda bundles (scripts/handler-bundles.ts)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import * as ts from 'typescript';
import { ROOT, bundleHandlers, thirdPartyLicenses } from './handler-bundles';

const DIST = path.join(ROOT, 'dist');
const LIBRARY_DIRS = ['lib', 'lambda'].map((dir) => path.join(DIST, dir));

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit' });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

function removeEmptyDirs(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

/** The compiled files a require of dist/lib/index.js loads. */
async function runtimeFiles(): Promise<Set<string>> {
  const result = await build({
    entryPoints: [path.join(DIST, 'lib', 'index.js')],
    bundle: true,
    platform: 'node',
    packages: 'external',
    write: false,
    metafile: true,
    outfile: path.join(DIST, 'unused.js'),
    absWorkingDir: ROOT,
    logLevel: 'error',
  });
  return new Set(Object.keys(result.metafile.inputs).map((input) => path.join(ROOT, input)));
}

/** The declaration files dist/lib/index.d.ts reaches. */
function declarationFiles(): Set<string> {
  const program = ts.createProgram([path.join(DIST, 'lib', 'index.d.ts')], { noEmit: true, types: [], skipLibCheck: true });
  return new Set(program.getSourceFiles().map((file) => path.resolve(file.fileName)));
}

/**
 * tsc emits every file the library's program holds, including those only reached through
 * `import type` (the whole converge pipeline, via lambda/report/telemetry.ts): the package
 * ships only what is loaded or referenced.
 */
async function pruneLibrary(): Promise<void> {
  const keep = new Set([...(await runtimeFiles()), ...declarationFiles()]);
  for (const dir of LIBRARY_DIRS) {
    for (const file of filesUnder(dir)) if (!keep.has(file)) rmSync(file);
    removeEmptyDirs(dir);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  run(process.execPath, ['scripts/build-cli.mjs']);
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  await pruneLibrary();
  const handlersDir = path.join(DIST, 'handlers');
  const inlined = await bundleHandlers(handlersDir);
  writeFileSync(path.join(handlersDir, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(inlined));
  const files = filesUnder(DIST);
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  process.stdout.write(`dist/: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
