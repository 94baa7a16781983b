import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * package.json as a published package: what it exports and ships, and dependencies that
 * are exactly what the shipped JavaScript requires at run time (the CLI bundle keeps its
 * packages external; the Lambda bundles inline theirs and find the AWS SDK in the runtime).
 */

const ROOT = join(__dirname, '..', '..');
interface Manifest {
  private?: boolean;
  license: string;
  main: string;
  types: string;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Packages (not Node built-ins) that an entry's code loads when run unbundled, as the package ships it. */
async function packagesRequiredBy(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', packages: 'external', write: false, metafile: true, outfile: 'out.js', logLevel: 'error' });
  const names = Object.values(result.metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((imported) => imported.external && !imported.path.startsWith('node:') && !builtinModules.includes(imported.path))
    .map((imported) => imported.path.split('/').slice(0, imported.path.startsWith('@') ? 2 : 1).join('/'));
  return [...new Set(names)].sort();
}

describe('package.json', () => {
  it('is publishable under Apache-2.0, with the full license text beside it', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe('Apache-2.0');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('points main, types, exports and bin at build outputs that files ships', () => {
    expect(manifest.main).toBe('dist/lib/index.js');
    expect(manifest.types).toBe('dist/lib/index.d.ts');
    expect(manifest.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    expect(manifest.bin).toEqual({ 'dd-aws-org': 'dist/dd-aws-org.js' });
    const shipped = (file: string) => manifest.files.some((entry) => file === entry || (entry.endsWith('/') && file.startsWith(entry)));
    for (const file of [manifest.main, manifest.types, manifest.bin['dd-aws-org']!, 'dist/handlers/worker/index.js']) expect(shipped(file)).toBe(true);
    expect(manifest.files.filter((entry) => /^(lib|lambda|cli|bin|test|standins|bench|scripts)\b|\.ts$/.test(entry))).toEqual([]);
  });

  it('asks for aws-cdk-lib and constructs as peers, installed here as devDependencies of the same range', () => {
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    for (const [name, range] of Object.entries(manifest.peerDependencies)) expect(manifest.devDependencies[name]).toBe(range);
  });

  it('depends on exactly what the library and the CLI load at run time', async () => {
    const required = new Set([...(await packagesRequiredBy('lib/index.ts')), ...(await packagesRequiredBy('bin/dd-aws-org.ts'))]);
    const peers = Object.keys(manifest.peerDependencies);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...required].filter((name) => !peers.includes(name)).sort());
    for (const peer of peers) expect(required.has(peer)).toBe(true);
  });
});
