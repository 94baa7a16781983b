/**
 * The stand-ins are models of Datadog and AWS, not of our code: no file here may import the
 * product (lambda/, cli/, lib/, bin/ or the root package), or a mistake in a product fact would
 * be shared by the model meant to catch it. Sources import Node's built-ins and each other;
 * tests may also import the package's declared devDependencies (the real AWS SDK clients).
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const PACKAGE_DIR = resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/**
 * Every module specifier a TypeScript source names, read from its syntax tree (so strings and
 * comments do not count): import and export ... from, import x = require(), import(), require()
 * and import('...') types.
 */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const literal = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) literal(node.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) literal(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('source.ts', source, ts.ScriptTarget.Latest, true));
  return found;
}

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

/** Why `specifier`, named in `file`, is not allowed; undefined when it is. */
function problem(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    return target.startsWith(PACKAGE_DIR + sep) ? undefined : `reaches outside the package, to ${relative(PACKAGE_DIR, target)}`;
  }
  if (isBuiltin(specifier)) return undefined;
  const name = packageOf(specifier);
  if (name === manifest.name) return undefined;
  const isTest = file.startsWith(join(PACKAGE_DIR, 'test') + sep);
  const allowed = { ...manifest.dependencies, ...(isTest ? manifest.devDependencies : {}) };
  if (name in allowed) return undefined;
  return isTest ? `${name} is not a dependency of ${manifest.name}` : `${name} is a package: stand-in sources import only Node's built-ins and each other`;
}

describe('the stand-ins import nothing of the product', () => {
  const files = typescriptFiles(PACKAGE_DIR);

  it('finds the stand-ins and their tests', () => {
    const names = files.map((file) => relative(PACKAGE_DIR, file));
    expect(names).toEqual(expect.arrayContaining(['index.ts', 'datadog.ts', 'datadog-v2.ts', join('aws', 'iam.ts'), join('test', 'no-product-imports.test.ts')]));
  });

  it('every import of every file stays inside the package, in Node, or in its declared dependencies', () => {
    const problems = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8')).flatMap((specifier) => {
        const why = problem(file, specifier);
        return why ? [`${relative(PACKAGE_DIR, file)}: '${specifier}' ${why}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  // The check above is only as good as what it reads: these are the forms it must catch.
  const datadogFile = join(PACKAGE_DIR, 'datadog.ts');
  const testFile = join(PACKAGE_DIR, 'test', 'some.test.ts');
  it.each<[string, 'allowed' | 'refused', string, string]>([
    ['a type import of a product module', 'refused', datadogFile, "import type { AWSAccount } from '../lambda/datadog/v1/types';"],
    ['a named import, across lines', 'refused', datadogFile, "import {\n  PARTITION_REGIONS,\n} from '../lambda/datadog/v2/mapping';"],
    ['a re-export', 'refused', datadogFile, "export { planAccount } from '../lambda/plan/plan-account';"],
    ['a dynamic import of the CLI', 'refused', datadogFile, "const cli = await import('../cli/program');"],
    ['a require of the construct', 'refused', datadogFile, "const lib = require('../lib');"],
    ['a type from the product, inline', 'refused', datadogFile, "let plan: import('../lambda/plan/plan-account').AccountPlan;"],
    ['the root package by name', 'refused', datadogFile, "import { DatadogOrgIntegration } from 'datadog-aws-org-integration';"],
    ['a test reaching into bin/', 'refused', testFile, "import '../../bin/dd-aws-org';"],
    ['an SDK client in a source file', 'refused', datadogFile, "import { IAMClient } from '@aws-sdk/client-iam';"],
    ['an SDK client in a test', 'allowed', testFile, "import { IAMClient } from '@aws-sdk/client-iam';"],
    ['a sibling module', 'allowed', datadogFile, "import { send } from './datadog-http';"],
    ['a Node built-in', 'allowed', datadogFile, "import { createServer } from 'node:http';"],
    ['the package by its own name', 'allowed', testFile, `import { DatadogStandin } from '${manifest.name}/datadog';`],
  ])('%s: %s', (_what, verdict, file, source) => {
    const found = specifiers(source);
    expect(found).toHaveLength(1);
    expect(problem(file, found[0]!) === undefined ? 'allowed' : 'refused').toBe(verdict);
  });

  it('reads code, not text: a method named require, a string or a comment naming a module are no imports', () => {
    expect(specifiers("const roleName = params.require('RoleName');\nconst text = \"import x from '../lambda'\";\n// import('../cli')")).toEqual([]);
  });
});
