import { z } from 'zod';
import { InputError } from '../domain/errors';
import { SITE_NAMES, isDatadogSite, type DatadogSite } from '../datadog/sites';
import { isAccountId } from '../domain/account-id';
import { filterTagProblem, parseNamespaceRule, regionProblem, roleNameProblem, tagKeyProblem, tagProblem } from '../domain/tags';

/**
 * The one configuration schema, shared by the CDK app, the CLI and the Lambdas.
 * Every key has a default, so `{}` is a valid configuration.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);
// An IPv4 literal in 127.0.0.0/8; a DNS name that merely starts with "127." is not loopback.
const LOOPBACK_IPV4 = /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Keys travel in headers: plain http is only acceptable to this machine (tests, local proxies). */
function isAcceptableApiUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || LOOPBACK_IPV4.test(url.hostname));
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

/** A string checked by one of the domain's format checks, whose message says how to fix it. */
function checkedString(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)}: ${reason}` });
  });
}

const roleName = (defaultName: string) => checkedString(roleNameProblem).default(defaultName);

const ORG_PARENT_ID = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const parentIds = z
  .array(
    z.string().regex(ORG_PARENT_ID, { error: (issue) => `${JSON.stringify(issue.input)} is not an OU ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)` }),
  )
  .default([]);

const accountIds = z
  .array(z.string().refine(isAccountId, { error: (issue) => `${JSON.stringify(issue.input)} is not an AWS account ID (exactly 12 digits)` }))
  .default([]);

// AWS tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@
const AWS_TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

export const roleConfigSchema = z
  .object({
    /** The role Datadog assumes in every member account. */
    name: roleName('DatadogIntegrationRole'),
    /** The role this product assumes from the management account to manage it (Control Tower: AWSControlTowerExecution). */
    memberAccessRoleName: roleName('OrganizationAccountAccessRole'),
    /** On offboarding, also delete the role (only one this product created, and only while the account is reachable). */
    deleteOnOffboard: z.boolean().default(true),
  })
  .strict();

export const integrationConfigSchema = z
  .object({
    hostTags: z.array(checkedString(tagProblem)).default([]),
    /** Organizations account tags copied as host tags (key:value), when the account has them. */
    accountTagsAsHostTags: z.array(z.string().regex(AWS_TAG_KEY, { error: 'must be an AWS tag key' })).default([]),
    /** Host tag key that carries the account name; false for none. */
    accountNameTag: z
      .union([z.literal(false), checkedString(tagKeyProblem)], {
        error: 'must be a tag key such as aws_account_name, or false for no account-name tag',
      })
      .default('aws_account_name'),
    filterTags: z.array(checkedString(filterTagProblem)).default([]),
    excludedRegions: z.array(checkedString(regionProblem)).default([]),
    /** Per-namespace overrides, e.g. { "auto_scaling": false }. */
    namespaceRules: z
      .record(z.string(), z.boolean())
      .default({})
      .superRefine((rules, ctx) => {
        for (const namespace of Object.keys(rules)) {
          if (typeof parseNamespaceRule(`${namespace}=true`) === 'string') {
            ctx.addIssue({ code: 'custom', message: `${JSON.stringify(namespace)} is not a namespace name such as auto_scaling` });
          }
        }
      }),
    metricsCollection: z.boolean().default(true),
    /** Extended resource collection (resource attributes and configuration). */
    resourceCollection: z.boolean().default(false),
    /** Cloud security posture management; turns resource collection on and attaches SecurityAudit. */
    cspm: z.boolean().default(false),
  })
  .strict();

export const scopeConfigSchema = z
  .object({
    /** Only accounts under these OUs or roots (at any depth); empty means the whole organization. */
    includeOus: parentIds,
    /** Accounts under these OUs are out of scope, even inside an included one. */
    excludeOus: parentIds,
    excludeAccounts: accountIds,
    /** An account with this tag (key and value) on it in Organizations is opted out. */
    optOutTag: z
      .object({
        key: z.string().regex(AWS_TAG_KEY, { error: 'must be an AWS tag key' }),
        value: z.string({ error: 'required: the tag value that opts an account out, e.g. "opt-out"' }).max(256),
      })
      .strict()
      .default({ key: 'datadog-integration', value: 'opt-out' }),
    includeManagementAccount: z.boolean().default(false),
  })
  .strict();

// EventBridge schedule expressions: rate(1 hour), rate(12 hours), cron(0 */6 * * ? *).
const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$/;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const deploymentConfigSchema = z
  .object({
    /** When the reconciler runs; "disabled" for never. */
    reconcileSchedule: z
      .string()
      .refine((value) => value === 'disabled' || SCHEDULE.test(value), {
        error: 'must be an EventBridge schedule such as "rate(12 hours)" or "cron(0 */6 * * ? *)", or "disabled"',
      })
      .default('rate(12 hours)'),
    /** The reconciler only reports what it would enqueue. */
    reconcileDryRun: z.boolean().default(false),
    /** Concurrent workers; 1 serialises Datadog writes per Datadog organization (they conflict when concurrent). */
    workerConcurrency: z.number().int().min(1).max(50).default(1),
    /** Receives before a message goes to the dead-letter queue. */
    maxReceiveCount: z.number().int().min(2).max(100).default(10),
    /** Alarms also notify this e-mail address (an SNS subscription to confirm). */
    alarmEmail: z.email({ error: 'must be an e-mail address' }).optional(),
    /** Alarms also notify this existing SNS topic. */
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, { error: 'must be an SNS topic ARN' })
      .optional(),
    logRetentionDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    /** Control Tower lifecycle events (CreateManagedAccount, UpdateManagedAccount). */
    controlTower: z
      .object({
        enabled: z.boolean().default(false),
        /** Control Tower's home region, where its events arrive (forwarded to us-east-1 when different). */
        homeRegion: checkedString(regionProblem).default('us-east-1'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    datadog: datadogConfigSchema.prefault({}),
    role: roleConfigSchema.prefault({}),
    integration: integrationConfigSchema.prefault({}),
    scope: scopeConfigSchema.prefault({}),
    deployment: deploymentConfigSchema.prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type DatadogConfig = Config['datadog'];
export type RoleConfig = Config['role'];
export type IntegrationConfig = Config['integration'];
export type ScopeConfig = Config['scope'];
export type DeploymentConfig = Config['deployment'];

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
