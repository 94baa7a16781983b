import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { HANDLER_BUNDLING, HANDLER_NAMES } from '../lib/handler-bundling';

/**
 * The prebuilt Lambda bundles of the package: each handler bundled by esbuild's API with the
 * options NodejsFunction passes to the esbuild CLI for HANDLER_BUNDLING (aws-cdk-lib's
 * aws-lambda-nodejs/lib/bundling.js). test/package/bundles.test.ts proves the output is
 * the same, byte for byte, as what the construct bundles from the sources.
 */

export const ROOT = path.resolve(__dirname, '..');

export function esbuildOptionsFor(bundling: typeof HANDLER_BUNDLING): BuildOptions {
  const { minify, sourceMap, target, externalModules, ...rest } = bundling;
  // A setting added to HANDLER_BUNDLING must be translated here too, or the bundles would differ.
  const untranslated = Object.keys(rest);
  if (untranslated.length > 0) throw new Error(`scripts/handler-bundles.ts does not translate HANDLER_BUNDLING.${untranslated.join(', ')} to esbuild`);
  return { bundle: true, platform: 'node', target, minify, sourcemap: sourceMap, external: [...externalModules] };
}

/** Bundles every handler into outDir/<name>/index.js (+ .map); returns the packages inlined, for their licenses. */
export async function bundleHandlers(outDir: string): Promise<Set<string>> {
  const inlined = new Set<string>();
  for (const name of HANDLER_NAMES) {
    const result = await build({
      ...esbuildOptionsFor(HANDLER_BUNDLING),
      entryPoints: [path.join(ROOT, 'lambda', 'handlers', `${name}.ts`)],
      outfile: path.join(outDir, name, 'index.js'),
      absWorkingDir: ROOT,
      metafile: true,
      logLevel: 'warning',
    });
    packagesIn(result.metafile).forEach((p) => inlined.add(p));
  }
  return inlined;
}

/** node_modules packages whose code a bundle contains. */
function packagesIn(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).flatMap((input) => {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    return match ? [match[1]!] : [];
  });
}

/** The license texts of the packages a bundle inlines: what their licenses ask a copy to carry. */
export function thirdPartyLicenses(packages: Iterable<string>): string {
  const sections = [...new Set(packages)].sort().map((name) => {
    const dir = path.join(ROOT, 'node_modules', name);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license?: string };
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
    const text = file ? readFileSync(file, 'utf8').trim() : `(no license file shipped; package.json says ${manifest.license ?? 'nothing'})`;
    return `${name} ${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
  });
  return `Third-party code inlined into the Lambda bundles of this folder:\n\n${sections.join('\n----------------------------------------\n\n')}`;
}
