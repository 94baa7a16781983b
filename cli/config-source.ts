import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod/mini';
import { ENVIRONMENT_OVERRIDES, isPlainObject, mergeConfig } from '../lambda/config/environment';
import { datadogConfigSchema, parseConfig, type Config } from '../lambda/config/schema';
import { InputError } from '../lambda/domain/errors';
import { CONFIG_CONTEXT_KEY, publishedConfigParameterName, STACK_REGION } from '../lib/config';
import type { CliDependencies, GlobalOptions } from './context';
import type { Output } from './output';

/**
 * Where a run's configuration comes from, the same way for every command: `--config FILE` (a
 * configuration, or a cdk.json whose context.datadogAwsOrg is read), else `--from-stack [NAME]`
 * (what the deployed stack publishes), else ./cdk.json's context in the directory the command
 * was started from, else the defaults. The environment and the flags go over it.
 */

/** The stack id bin/app.ts deploys. */
export const DEFAULT_STACK_NAME = 'DatadogOrgIntegration';

type JsonObject = Record<string, unknown>;

export interface ConfigSource {
  /** Where it came from, for people (stderr) and programs (--json `configSource`). */
  readonly description: string;
  /** The configuration as written there; {} for the defaults. */
  readonly raw: JsonObject;
  /** The file that holds it, and that file's content with another configuration in its place (migrate). */
  readonly file?: { readonly path: string; withConfig(config: JsonObject): unknown };
}

export async function readJsonFile(path: string, what = 'config file'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function objectAt(value: unknown, where: string): JsonObject {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InputError(`${where} must be a JSON object`);
  return value;
}

/** A CDK app's cdk.json: it has keys no configuration has. */
function isCdkJson(document: unknown): document is JsonObject {
  return isPlainObject(document) && ('context' in document || 'app' in document);
}

/**
 * The configuration in a cdk.json's context, as the CDK app reads it (lib/config.ts): an object or
 * a JSON string, which a rewrite keeps in its form.
 */
function fromCdkJson(document: JsonObject, path: string, shown: string): ConfigSource {
  const context = objectAt(document.context, `${shown}: context`);
  const value = context[CONFIG_CONTEXT_KEY];
  const label = `${shown} (context.${CONFIG_CONTEXT_KEY})`;
  const asString = typeof value === 'string';
  let parsed: unknown = value;
  if (asString) {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new InputError(`${label} is not valid JSON: ${(error as Error).message}`);
    }
  }
  return {
    description: value === undefined ? `defaults (${shown} has no context.${CONFIG_CONTEXT_KEY})` : label,
    raw: objectAt(parsed, label),
    file: {
      path,
      withConfig: (config) => ({ ...document, context: { ...context, [CONFIG_CONTEXT_KEY]: asString ? JSON.stringify(config) : config } }),
    },
  };
}

async function fromFile(path: string): Promise<ConfigSource> {
  const document = await readJsonFile(path);
  if (isCdkJson(document)) return fromCdkJson(document, path, path);
  return { description: path, raw: objectAt(document, `config file ${path}`), file: { path, withConfig: (config) => config } };
}

/** The user's directory: npm run moves to the package root and leaves the caller's in INIT_CWD. */
export function startDirectory(deps: CliDependencies): string {
  return deps.cwd?.() ?? (deps.env.INIT_CWD || process.cwd());
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** What the deployed stack publishes in SSM (lib/published-config.ts): the configuration its Lambdas run with. */
async function fromStack(stackName: string, deps: CliDependencies): Promise<ConfigSource> {
  const name = publishedConfigParameterName(stackName);
  const where = `SSM parameter ${name} (${STACK_REGION})`;
  let value: string | undefined;
  try {
    const ssm = deps.ssm?.() ?? new SSMClient({ region: STACK_REGION });
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code === 'ParameterNotFound') {
      throw new InputError(
        `stack ${stackName} has published no configuration: no ${where} in this account. Deploy this version of the stack ` +
          `(npx cdk deploy), name the stack (--from-stack NAME), or use credentials of the account it is deployed in`,
      );
    }
    if (code === 'AccessDeniedException') throw new InputError(`cannot read ${where}: access denied; the caller needs ssm:GetParameter on it`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    throw new InputError(`${where} is not JSON: redeploy stack ${stackName} with this version (npx cdk deploy)`);
  }
  return { description: `stack ${stackName} (${where})`, raw: objectAt(parsed, where) };
}

export async function resolveConfigSource(options: GlobalOptions, deps: CliDependencies): Promise<ConfigSource> {
  if (options.config !== undefined && options.fromStack !== undefined) {
    throw new InputError('--config and --from-stack both name the configuration: give one');
  }
  if (options.config !== undefined) return fromFile(options.config);
  if (options.fromStack !== undefined) return fromStack(options.fromStack === true ? DEFAULT_STACK_NAME : options.fromStack, deps);
  const directory = startDirectory(deps);
  const path = join(directory, 'cdk.json');
  if (!(await exists(path))) return { description: 'defaults (no --config, no ./cdk.json)', raw: {} };
  const document = await readJsonFile(path);
  const shown = `./${basename(path)}`;
  if (!isPlainObject(document)) throw new InputError(`${path} must be a JSON object`);
  return fromCdkJson(document, path, shown);
}

/** A value that overrides the source, named as the user gave it. */
interface Override {
  key: 'site' | 'apiUrl' | 'credentialsSecretId';
  value: string;
  /** `DD_SITE` or `--site`. */
  name: string;
  /** `DD_SITE=datadoghq.eu` or `--site datadoghq.eu`. */
  origin: string;
}

/** The environment's, then the flags' (later wins), each checked alone so that its error names it. */
function overridesOf(options: GlobalOptions, env: NodeJS.ProcessEnv): Override[] {
  const overrides: Override[] = [];
  for (const { variable, key } of ENVIRONMENT_OVERRIDES) {
    const value = env[variable];
    if (value) overrides.push({ key, value, name: variable, origin: `${variable}=${value}` });
  }
  if (options.site !== undefined) overrides.push({ key: 'site', value: options.site, name: '--site', origin: `--site ${options.site}` });
  if (options.secretId !== undefined) overrides.push({ key: 'credentialsSecretId', value: options.secretId, name: '--secret-id', origin: `--secret-id ${JSON.stringify(options.secretId)}` });
  const winners = new Map(overrides.map((override) => [override.key, override]));
  for (const override of winners.values()) {
    const result = z.safeParse(datadogConfigSchema.shape[override.key], override.value);
    if (!result.success) throw new InputError(`${override.origin}: ${result.error.issues[0]?.message ?? 'not accepted'}`);
  }
  return [...winners.values()];
}

/**
 * The source's configuration with the environment and the flags over it. The source alone must
 * be valid: a wrong shape must not vanish in the merge.
 */
export function mergeCliConfig(source: ConfigSource, options: GlobalOptions, env: NodeJS.ProcessEnv): Config {
  const fromSource = parseConfig(source.raw, source.description);
  const overrides = overridesOf(options, env);
  if (overrides.length === 0) return fromSource;
  const datadog = Object.fromEntries(overrides.map(({ key, value }) => [key, value]));
  return parseConfig(mergeConfig(source.raw, { datadog }), `${source.description} with ${overrides.map((o) => o.name).join(', ')}`);
}

/** Says where the configuration came from: one line on stderr and, unless told otherwise, `configSource` in --json. */
export function announceConfigSource(output: Output, source: ConfigSource, options: { inJson?: boolean } = {}): void {
  output.stderr(`dd-aws-org: configuration from ${source.description}\n`);
  output.setConfigSource(options.inJson === false ? undefined : source.description);
}

/** The configuration of a run, resolved, announced and checked. */
export async function loadCliConfig(options: GlobalOptions, deps: CliDependencies, output: Output, announce: { inJson?: boolean } = {}): Promise<Config> {
  const source = await resolveConfigSource(options, deps);
  announceConfigSource(output, source, announce);
  return mergeCliConfig(source, options, deps.env);
}
