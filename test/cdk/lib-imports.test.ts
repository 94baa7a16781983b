import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesLoadedBy, localFilesLoadedBy, specifiersLoadedBy } from './loaded-code';

/**
 * The CDK library's imports: no cycles among its files, and what it takes from lambda/ loads
 * no package but the configuration's schema library: a synth does not load Powertools or an
 * AWS SDK client for a constant.
 */

const ROOT = join(__dirname, '..', '..');
const LIB = join(ROOT, 'lib');
const name = (file: string) => relative(ROOT, file);

function libFiles(dir: string = LIB): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    // A unit test beside a lib module is not part of the library.
    return statSync(path).isDirectory() ? libFiles(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every cycle among lib files, each as the chain of files that closes it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at >= 0) return void found.push([...path.slice(at), file].map(name));
    if (done.has(file)) return;
    for (const next of localFilesLoadedBy(file).filter((loaded) => loaded.startsWith(LIB))) visit(next, [...path, file]);
    done.add(file);
  };
  for (const file of libFiles()) visit(file, []);
  return found;
}

/** Packages the library may load: the CDK itself, and the schema library of lambda/config/schema.ts. */
const ALLOWED_PACKAGES = /^(aws-cdk-lib|constructs|zod)(\/|$)/;

describe('the CDK library (lib/)', () => {
  it('has no import cycles among its files', () => {
    expect(libFiles().length).toBeGreaterThan(10);
    expect(cycles()).toEqual([]);
  });

  it('loads from lambda/ only modules that load no package but the schema library (no Powertools, no AWS SDK client)', () => {
    const loaded = [...filesLoadedBy('lib/index.ts').keys()];
    expect(loaded.some((file) => name(file).startsWith('lambda/'))).toBe(true);
    const packages = loaded.flatMap((file) =>
      specifiersLoadedBy(file)
        .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:') && !ALLOWED_PACKAGES.test(specifier))
        .map((specifier) => `${name(file)} loads ${specifier}`),
    );
    expect(packages).toEqual([]);
  });
});
