import { z } from 'zod';
import { InputError } from '../domain/errors';
import { SITE_NAMES, isDatadogSite, type DatadogSite } from '../datadog/sites';

/**
 * The one configuration schema, shared by the CDK app, the CLI and the Lambdas.
 * Every key has a default, so `{}` is a valid configuration.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Keys travel in headers: plain http is only acceptable to this machine (tests, local proxies). */
function isAcceptableApiUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.'));
}

function wholeNumber(min: number, max: number, defaultValue: number) {
  const error = `must be a whole number from ${min} to ${max} (default ${defaultValue})`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(defaultValue);
}

export const datadogConfigSchema = z
  .object({
    site: z
      .string()
      .default('datadoghq.com')
      .refine(isDatadogSite, {
        error: (issue) => `unknown Datadog site ${JSON.stringify(issue.input)}; use one of: ${SITE_NAMES.join(', ')}`,
      })
      .transform((site) => site as DatadogSite),
    apiVersion: z.enum(['v1'], { error: 'must be "v1" (the v2 API is not supported yet)' }).default('v1'),
    apiUrl: z
      .string()
      .refine(isAcceptableApiUrl, {
        error: 'must be an https:// URL (plain http:// is accepted only for localhost), e.g. https://dd-proxy.example.com',
      })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    credentialsSecretId: z
      .string()
      .min(1, { error: 'must be the name or ARN of a Secrets Manager secret' })
      .optional(),
    requestTimeoutMs: wholeNumber(1000, 120_000, 15_000),
    maxAttempts: wholeNumber(1, 10, 5),
    maxRetryWaitSeconds: wholeNumber(1, 900, 60),
  })
  .strict();

export const configSchema = z
  .object({
    datadog: datadogConfigSchema.prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type DatadogConfig = Config['datadog'];

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const path = issue.path.map(String).join('.');
  const where = path ? `${source}: ${path}` : source;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` +
      (known.length ? `; known keys here: ${known.join(', ')}` : '');
  }
  return `${where}: ${issue.message}`;
}

function knownKeysAt(path: PropertyKey[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const key of path) {
    const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
    const next = shape?.[String(key)];
    if (!next) return [];
    schema = unwrap(next);
  }
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema as unknown as { shape?: unknown; def: { innerType?: z.ZodType; in?: z.ZodType } };
  while (!current.shape && (current.def.innerType || current.def.in)) {
    current = (current.def.innerType ?? current.def.in) as unknown as typeof current;
  }
  return current as unknown as z.ZodType;
}

/** Parses raw configuration; on failure throws an InputError listing every bad field and its fix. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${describeIssue(issue, source)}`);
  throw new InputError(`invalid configuration:\n${lines.join('\n')}`);
}
