import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * What code loads at run time, read from its source: the files an entry loads (value
 * imports, re-exports and dynamic imports; type-only imports load nothing), and the AWS calls
 * among them (the `new XxxCommand(` and `paginateXxx(` of the @aws-sdk clients each file
 * imports). The CDK tests hold each function's IAM policy against the calls of its handler,
 * and the library's imports against what a synth should load.
 */

export interface SdkCall {
  /** The client package without its scope, e.g. "client-organizations". */
  readonly client: string;
  /** The operation, e.g. "ListParents". */
  readonly operation: string;
  /** The file that sends it, relative to the repository. */
  readonly file: string;
}

const ROOT = join(__dirname, '..', '..');
const STATIC_IMPORT = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;

function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const found = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
  if (!found) throw new Error(`${from}: cannot resolve ${specifier}`);
  return found;
}

/** The names a value import brings in (without `type` ones), or [] for a type-only import. */
function importedNames(clause: string, typeOnly: boolean): string[] {
  if (typeOnly) return [];
  const braces = /\{([^}]*)\}/.exec(clause);
  if (!braces) return [];
  return braces[1]!
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name && !name.startsWith('type '))
    .map((name) => name.split(/\s+as\s+/).pop()!.trim());
}

/** What a file loads at run time: its value imports, re-exports and dynamic imports, as written (type-only ones load nothing). */
export function specifiersLoadedBy(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const [, , typeOnly, clause, specifier] of text.matchAll(STATIC_IMPORT)) {
    if (typeOnly) continue;
    // `import { type A, type B } from` names types only: it loads nothing either.
    if (/^\{[^}]*\}$/.test(clause!.trim()) && importedNames(clause!, false).length === 0) continue;
    specifiers.push(specifier!);
  }
  for (const [, specifier] of text.matchAll(DYNAMIC_IMPORT)) specifiers.push(specifier!);
  return specifiers;
}

/** The repository files a file loads at run time. */
export function localFilesLoadedBy(file: string): string[] {
  return specifiersLoadedBy(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolveRelative(file, specifier));
}

/** Every source file the entry loads at run time, the entry first, each with the file that first loads it. */
export function filesLoadedBy(entry: string): Map<string, string | undefined> {
  const seen = new Map<string, string | undefined>();
  const visit = (file: string, importer?: string) => {
    if (seen.has(file)) return;
    seen.set(file, importer);
    for (const loaded of localFilesLoadedBy(file)) visit(loaded, file);
  };
  visit(resolve(ROOT, entry));
  return seen;
}

/** How the entry comes to load a file: the chain of imports, relative to the repository. */
export function importChain(loaded: Map<string, string | undefined>, file: string): string[] {
  const chain: string[] = [];
  for (let at: string | undefined = resolve(ROOT, file); at; at = loaded.get(at)) chain.unshift(at.slice(ROOT.length + 1));
  return chain;
}

/** The AWS SDK operations the files loaded by `entry` send. */
export function sdkCallsOf(entry: string): SdkCall[] {
  const calls: SdkCall[] = [];
  for (const file of filesLoadedBy(entry).keys()) {
    const text = readFileSync(file, 'utf8');
    for (const [, , typeOnly, clause, specifier] of text.matchAll(STATIC_IMPORT)) {
      const client = /^@aws-sdk\/(client-[a-z0-9-]+)$/.exec(specifier!)?.[1];
      if (!client) continue;
      for (const name of importedNames(clause!, Boolean(typeOnly))) {
        const command = /^(\w+)Command$/.exec(name)?.[1];
        const paginated = /^paginate(\w+)$/.exec(name)?.[1];
        const operation = command && new RegExp(`new ${name}\\(`).test(text) ? command : paginated && new RegExp(`\\b${name}\\(`).test(text) ? paginated : undefined;
        if (operation) calls.push({ client, operation, file: file.slice(ROOT.length + 1) });
      }
    }
  }
  return calls;
}

/** IAM's service prefix of each client this product uses. */
const SERVICE_PREFIX: Record<string, string> = {
  'client-iam': 'iam',
  'client-organizations': 'organizations',
  'client-secrets-manager': 'secretsmanager',
  'client-sqs': 'sqs',
  'client-sts': 'sts',
};

/** Operations IAM authorizes under another action's name. */
const AUTHORIZED_AS: Record<string, string> = { 'sqs:SendMessageBatch': 'sqs:SendMessage', 'sqs:DeleteMessageBatch': 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility' };

/** The IAM action that authorizes an SDK call. */
export function iamActionOf(call: SdkCall): string {
  const prefix = SERVICE_PREFIX[call.client];
  if (!prefix) throw new Error(`${call.file}: no IAM service prefix known for @aws-sdk/${call.client}: add it to SERVICE_PREFIX`);
  const action = `${prefix}:${call.operation}`;
  return AUTHORIZED_AS[action] ?? action;
}
