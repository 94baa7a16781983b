// zod/mini, not classic zod: the same validation at a 25th of the bundle size, which every
// Lambda pays at cold start (see npm run bench -- lambda).
import * as z from 'zod/mini';
import { InputError } from '../domain/errors';
import { SITE_NAMES, isDatadogSite, type DatadogSite } from '../datadog/sites';
import { isAccountId } from '../domain/account-id';
import { PARTITION_REGIONS } from '../domain/partition';
import { filterTagProblem, parseNamespaceRule, regionProblem, roleNameProblem, tagKeyProblem, tagProblem } from '../domain/tags';
import { DEFAULT_OWNERSHIP_TAG_KEY, isMarkerTag } from '../domain/ownership';

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
  return z._default(z.number({ error }).check(z.int({ error }), z.minimum(min, { error }), z.maximum(max, { error })), defaultValue);
}

/** A string checked by one of the domain's format checks, whose message says how to fix it. */
function checkedString(problem: (value: string) => string | undefined) {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const reason = problem(value);
      if (reason) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)}: ${reason}`, input: value });
    }),
  );
}

/** See README "Which Datadog API version". */
export const DEFAULT_API_VERSION = 'v2';

const list = <T extends z.core.SomeType>(item: T) => z._default(z.array(item), []);

export const datadogConfigSchema = z.strictObject({
  site: z.pipe(
    z._default(z.string(), 'datadoghq.com').check(
      z.refine(isDatadogSite, {
        error: (issue) => `unknown Datadog site ${JSON.stringify(issue.input)}; use one of: ${SITE_NAMES.join(', ')}`,
      }),
    ),
    z.transform((site) => site as DatadogSite),
  ),
  /** Datadog's AWS integration API: v2 reads external IDs back (trust drift shows); v1 is deprecated by Datadog. */
  apiVersion: z._default(z.enum(['v1', 'v2'], { error: 'must be "v1" or "v2"' }), DEFAULT_API_VERSION),
  apiUrl: z.optional(
    z.pipe(
      z.string().check(
        z.refine(isAcceptableApiUrl, {
          error: 'must be an https:// URL (plain http:// is accepted only for localhost), e.g. https://dd-proxy.example.com',
        }),
      ),
      z.transform((url) => url.replace(/\/+$/, '')),
    ),
  ),
  credentialsSecretId: z.optional(z.string().check(z.minLength(1, { error: 'must be the name or ARN of a Secrets Manager secret' }))),
  requestTimeoutMs: wholeNumber(1000, 120_000, 15_000),
  maxAttempts: wholeNumber(1, 10, 5),
  maxRetryWaitSeconds: wholeNumber(1, 900, 60),
});

const roleName = (defaultName: string) => z._default(checkedString(roleNameProblem), defaultName);

const ORG_PARENT_ID = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const parentIds = list(
  z.string().check(
    z.regex(ORG_PARENT_ID, { error: (issue) => `${JSON.stringify(issue.input)} is not an OU ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)` }),
  ),
);

const accountIds = list(
  z.string().check(z.refine(isAccountId, { error: (issue) => `${JSON.stringify(issue.input)} is not an AWS account ID (exactly 12 digits)` })),
);

// AWS tag keys: 1 to 128 letters, digits, spaces and _.:/=+-@
const AWS_TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const awsTagKey = () => z.string().check(z.regex(AWS_TAG_KEY, { error: 'must be an AWS tag key' }));

/** The administrator roles Organizations and Control Tower create: never the name of a role the stack creates. */
const ADMINISTRATOR_ROLES = ['OrganizationAccountAccessRole', 'AWSControlTowerExecution'];
/** The least-privilege role the stack's StackSet creates in every member account (role.memberAccessMode "dedicated"). */
export const DEDICATED_MEMBER_ACCESS_ROLE = 'DatadogOrgIntegrationMemberAccess';
/** An IAM role ARN of some account, with an optional path; `*` and `?` allowed for ArnLike. */
const OPERATOR_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/*?]{1,512}$/;

export const roleConfigSchema = z.pipe(
  z.strictObject({
    /** The role Datadog assumes in every member account. */
    name: roleName('DatadogIntegrationRole'),
    /**
     * How this product reaches member accounts: "existing" assumes a role already there (memberAccessRoleName,
     * an administrator role by default); "dedicated" has the stack create a least-privilege role in every member account.
     */
    memberAccessMode: z._default(z.enum(['existing', 'dedicated'], { error: 'must be "existing" or "dedicated"' }), 'existing'),
    /**
     * The role this product assumes in each member account. "existing": default OrganizationAccountAccessRole
     * (Control Tower: AWSControlTowerExecution); "dedicated": the name of the role the stack creates.
     */
    memberAccessRoleName: z.optional(checkedString(roleNameProblem)),
    /**
     * "dedicated" only: roles of the management account that may assume the dedicated role besides
     * the worker, so that operators can run converge, apply, plan's role reads and offboard --all.
     * IAM role ARNs; wildcards as ArnLike takes them (SSO roles have generated names).
     */
    operatorRoleArns: list(
      z.string().check(
        z.regex(OPERATOR_ROLE_ARN, {
          error: (issue) =>
            `${JSON.stringify(issue.input)} is not an IAM role ARN such as arn:aws:iam::111111111111:role/platform-admin ` +
            '(SSO: arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*)',
        }),
      ),
    ),
    /** On offboarding, also delete the role (only one this product created, and only while the account is reachable). */
    deleteOnOffboard: z._default(z.boolean(), true),
  }).check(
    z.superRefine((role, ctx) => {
      if (role.memberAccessMode === 'dedicated' && role.memberAccessRoleName && ADMINISTRATOR_ROLES.includes(role.memberAccessRoleName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['memberAccessRoleName'],
          message: `with role.memberAccessMode "dedicated" the stack creates this role: name it something other than ${ADMINISTRATOR_ROLES.join(' or ')} (default ${DEDICATED_MEMBER_ACCESS_ROLE}), or use memberAccessMode "existing"`,
          input: role,
        });
      }
      if (role.memberAccessMode !== 'dedicated' && role.operatorRoleArns.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['operatorRoleArns'],
          message: 'only the dedicated member role (role.memberAccessMode "dedicated") trusts operator roles: set that mode, or remove operatorRoleArns',
          input: role,
        });
      }
    }),
  ),
  z.transform((role) => ({
    ...role,
    memberAccessRoleName: role.memberAccessRoleName ?? (role.memberAccessMode === 'dedicated' ? DEDICATED_MEMBER_ACCESS_ROLE : 'OrganizationAccountAccessRole'),
  })),
);

export const integrationConfigSchema = z.strictObject({
  hostTags: list(checkedString(tagProblem)),
  /** Organizations account tags copied as host tags (key:value), when the account has them. */
  accountTagsAsHostTags: list(awsTagKey()),
  /** Host tag key that carries the account name; false for none. */
  accountNameTag: z._default(
    z.union([z.literal(false), checkedString(tagKeyProblem)], {
      error: 'must be a tag key such as aws_account_name, or false for no account-name tag',
    }),
    'aws_account_name',
  ),
  filterTags: list(checkedString(filterTagProblem)),
  excludedRegions: list(checkedString(regionProblem)),
  /**
   * Per-namespace overrides of Datadog's defaults, e.g. { "auto_scaling": false } (v1 keys) or
   * { "AWS/AutoScaling": false } (v2: CloudWatch namespaces); checked against apiVersion below.
   */
  namespaceRules: z._default(z.record(z.string(), z.boolean()), {}).check(
    z.superRefine((rules, ctx) => {
      for (const namespace of Object.keys(rules)) {
        if (typeof parseNamespaceRule(`${namespace}=true`) === 'string') {
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(namespace)} is not a namespace name such as auto_scaling`, input: rules });
        }
      }
    }),
  ),
  metricsCollection: z._default(z.boolean(), true),
  /** Extended resource collection (resource attributes and configuration). */
  resourceCollection: z._default(z.boolean(), false),
  /** Cloud security posture management; turns resource collection on and attaches SecurityAudit. */
  cspm: z._default(z.boolean(), false),
  /**
   * The key of the ownership marker: every integration this deployment creates or adopts carries
   * the Datadog tag <key>:<organization ID>, the proof that lets it delete one outside the organization.
   */
  ownershipTagKey: z._default(checkedString(ownershipTagKeyProblem), DEFAULT_OWNERSHIP_TAG_KEY),
});

/** Datadog lowercases tags: a key with capitals would read back differently from what was written. */
function ownershipTagKeyProblem(key: string): string | undefined {
  const problem = tagKeyProblem(key);
  if (problem) return `${problem}, e.g. ${DEFAULT_OWNERSHIP_TAG_KEY}`;
  return key === key.toLowerCase() ? undefined : `write it in lowercase (${key.toLowerCase()}): Datadog stores tags in lowercase`;
}

export const scopeConfigSchema = z.strictObject({
  /** Only accounts under these OUs or roots (at any depth); empty means the whole organization. */
  includeOus: parentIds,
  /** Accounts under these OUs are out of scope, even inside an included one. */
  excludeOus: parentIds,
  excludeAccounts: accountIds,
  /**
   * An account with this tag (key and value) in Organizations is opted out. Off by default: an
   * org-wide run then reads every account's tags, one Organizations call per account.
   */
  optOutTag: z.optional(
    z.strictObject({
      key: awsTagKey(),
      value: z.string({ error: 'required: the tag value that opts an account out, e.g. "opt-out"' }).check(z.maxLength(256)),
    }),
  ),
  includeManagementAccount: z._default(z.boolean(), false),
  /**
   * What happens to the integration of an account excluded by configuration (excludeAccounts,
   * excludeOus, outside includeOus, the management account): "leave" it alone, or "offboard" it.
   * Closed, suspended, removed and opted-out accounts are always offboarded.
   */
  onExclusion: z._default(z.enum(['leave', 'offboard'], { error: 'must be "leave" (keep the integration of an excluded account) or "offboard" (delete it)' }), 'leave'),
});

// EventBridge schedule expressions: rate(1 hour), rate(12 hours), cron(0 */6 * * ? *).
const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$/;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const deploymentConfigSchema = z.strictObject({
  /** When the reconciler runs; "disabled" for never. */
  reconcileSchedule: z._default(
    z.string().check(
      z.refine((value) => value === 'disabled' || SCHEDULE.test(value), {
        error: 'must be an EventBridge schedule such as "rate(12 hours)" or "cron(0 */6 * * ? *)", or "disabled"',
      }),
    ),
    'rate(12 hours)',
  ),
  /** The reconciler only reports what it would enqueue. */
  reconcileDryRun: z._default(z.boolean(), false),
  /**
   * Concurrent workers (reserved concurrency and the event source's maximum). 5: the scheduled
   * reconcile of 10,000 accounts within 1.3x its lower bound (npm run bench), and from 2 up the
   * event source's own cap keeps throttled polls from counting receives toward the DLQ. Each
   * worker serialises its Datadog writes (409 when concurrent); across workers 409s are retried.
   */
  workerConcurrency: wholeNumber(1, 50, 5),
  /**
   * Receives before a message goes to the dead-letter queue. With the worker's backoff (30 s
   * doubling to 15 min), 15 receives span about 2.5 hours: longer than a new account may take
   * to become assumable.
   */
  maxReceiveCount: wholeNumber(2, 100, 15),
  /** Alarms also notify this e-mail address (an SNS subscription to confirm). */
  alarmEmail: z.optional(z.email({ error: 'must be an e-mail address' })),
  /** Alarms also notify this existing SNS topic. */
  alarmTopicArn: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, { error: 'must be an SNS topic ARN' }))),
  logRetentionDays: z._default(
    z.number().check(
      z.refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    ),
    30,
  ),
  /** Control Tower lifecycle events (CreateManagedAccount, UpdateManagedAccount). */
  controlTower: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      /** Control Tower's home region, where its events arrive (forwarded to us-east-1 when different). */
      homeRegion: z._default(checkedString(regionProblem), 'us-east-1'),
    }),
    {},
  ),
});

export const reconcileConfigSchema = z.strictObject({
  /** An org-wide run that would delete more integrations than this deletes none and fails (exit 3, alarm). */
  maxDeletionsPerRun: wholeNumber(0, 10_000, 5),
  /** ... or more than this percentage of the organization's accounts. */
  maxDeletionsPercent: wholeNumber(0, 100, 10),
  /** Accounts worked on at once by apply and --deep, and parallel Organizations calls. */
  concurrency: wholeNumber(1, 64, 4),
  /**
   * The scheduled reconcile also checks every integrated account's role (the worker assumes the
   * member access role and reads it): a deleted or altered role is repaired. Off: Datadog-side only.
   */
  inspectRoles: z._default(z.boolean(), true),
});

const sections = {
  datadog: z.prefault(datadogConfigSchema, {}),
  role: z.prefault(roleConfigSchema, {}),
  integration: z.prefault(integrationConfigSchema, {}),
  scope: z.prefault(scopeConfigSchema, {}),
  reconcile: z.prefault(reconcileConfigSchema, {}),
  deployment: z.prefault(deploymentConfigSchema, {}),
};

type Sections = z.output<z.ZodMiniObject<typeof sections>>;

/** The checks across sections, for the top level and for each profile's settings. */
function sectionProblems(config: Sections): { path: string[]; message: string }[] {
  return [...apiVersionProblems(config.datadog.apiVersion, config.integration), ...markerProblems(config.integration)];
}

/** The sections alone: what one profile's settings are checked with, once merged over the top level. */
export const sectionsSchema = z.strictObject(sections).check(
  z.superRefine((config, ctx) => {
    for (const { path, message } of sectionProblems(config)) ctx.addIssue({ code: 'custom', path, message, input: config });
  }),
);

// Profile names appear in logs, metric dimensions, CLI output and construct IDs.
const PROFILE_NAME = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * A profile: accounts it matches get its datadog and integration keys over the top level's.
 * Its sections are checked whole, merged over the top level (see profileSettings).
 */
export const profileSchema = z.strictObject({
  name: z.string({ error: 'required: a name for the profile, e.g. "asia"' }).check(
    z.regex(PROFILE_NAME, { error: (issue) => `${JSON.stringify(issue.input)}: use lowercase letters, digits and "-" (at most 64), e.g. "asia"` }),
  ),
  match: z.strictObject(
    {
      /** Accounts under any of these OUs or roots, at any depth. */
      ous: parentIds,
      /** ... or any of these accounts. */
      accounts: accountIds,
      /** ... and only those with all of these Organizations tags (key: value). */
      tags: z._default(z.record(awsTagKey(), z.string().check(z.maxLength(256, { error: 'an AWS tag value has at most 256 characters' }))), {}),
    },
    { error: 'required: the accounts the profile applies to, e.g. {"ous": ["ou-ab12-cdef3456"]}' },
  ),
  datadog: z.optional(z.record(z.string(), z.unknown(), { error: 'must be an object of datadog keys, e.g. {"site": "ap1.datadoghq.com"}' })),
  integration: z.optional(z.record(z.string(), z.unknown(), { error: 'must be an object of integration keys, e.g. {"metricsCollection": false}' })),
});

export type ProfileConfig = z.output<typeof profileSchema>;

export const configSchema = z
  .strictObject({
    ...sections,
    /** Tried in order: the first whose match holds gives an account its settings (README "Profiles"). */
    profiles: list(profileSchema),
  })
  .check(
    z.superRefine((config, ctx) => {
      for (const { path, message } of [...sectionProblems(config), ...profileProblems(config)]) {
        ctx.addIssue({ code: 'custom', path, message, input: config });
      }
    }),
  );

/**
 * One profile's settings: its datadog and integration keys over the top level's, checked as a
 * whole. A profile that names another site, and not an apiUrl, does not inherit the top level's
 * apiUrl (a proxy or stand-in of the other site).
 */
export function profileSettings(config: Sections, profile: ProfileConfig): z.core.util.SafeParseResult<Sections> {
  const datadog: Record<string, unknown> = { ...config.datadog, ...profile.datadog };
  if (profile.datadog && 'site' in profile.datadog && !('apiUrl' in profile.datadog)) delete datadog.apiUrl;
  return z.safeParse(sectionsSchema, {
    datadog,
    role: config.role,
    integration: { ...config.integration, ...profile.integration },
    scope: config.scope,
    reconcile: config.reconcile,
    deployment: config.deployment,
  });
}

/** Where a profile sends its accounts' integrations: a site + API URL + credentials. */
export function datadogTargetKey(datadog: DatadogConfig): string {
  return JSON.stringify([datadog.site, datadog.apiUrl ?? null, datadog.credentialsSecretId ?? null]);
}

/** Settings one Datadog target has once: two profiles reaching one Datadog organization must agree on them. */
const TARGET_SETTINGS = ['apiVersion', 'requestTimeoutMs', 'maxAttempts', 'maxRetryWaitSeconds'] as const;

function profileProblems(config: Sections & { profiles: readonly ProfileConfig[] }): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const seen = new Map<string, number>();
  const targets = new Map<string, { where: string; datadog: DatadogConfig }>([[datadogTargetKey(config.datadog), { where: 'the top level', datadog: config.datadog }]]);
  for (const [index, profile] of config.profiles.entries()) {
    const at = (...path: string[]) => ['profiles', String(index), ...path];
    const earlier = seen.get(profile.name);
    if (earlier !== undefined) problems.push({ path: at('name'), message: `${JSON.stringify(profile.name)} is also the name of profiles.${earlier}: profile names are unique` });
    else seen.set(profile.name, index);
    const { ous, accounts, tags } = profile.match;
    if (ous.length === 0 && accounts.length === 0 && Object.keys(tags).length === 0) {
      problems.push({
        path: at('match'),
        message: 'lists no OU, account or tag, so it would match every account: name the ous, accounts or tags it applies to (the top-level settings are for every other account)',
      });
    }
    if (profile.integration && 'ownershipTagKey' in profile.integration) {
      problems.push({
        path: at('integration', 'ownershipTagKey'),
        message: 'the ownership marker is one per deployment (it proves what this deployment may delete in every Datadog organization): set it at the top level only',
      });
    }
    const result = profileSettings(config, profile);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const message = issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, issue.path) : issue.message;
        problems.push({ path: at(...issue.path.map(String)), message: `${message} (profile ${JSON.stringify(profile.name)}'s settings over the top level's)` });
      }
      continue;
    }
    const datadog = result.data.datadog;
    const movesSite = datadog.site !== config.datadog.site || datadog.apiUrl !== config.datadog.apiUrl;
    if (movesSite && datadog.credentialsSecretId === config.datadog.credentialsSecretId) {
      problems.push({
        path: at('datadog', 'credentialsSecretId'),
        message:
          `profile ${JSON.stringify(profile.name)} reports to ${datadog.apiUrl ?? datadog.site}, another Datadog organization than the top level's: ` +
          'name the Secrets Manager secret holding that organization\'s keys, e.g. "datadog/ap1-keys" (the top-level keys are not sent there)',
      });
    }
    const key = datadogTargetKey(datadog);
    const other = targets.get(key);
    if (!other) targets.set(key, { where: `profile ${JSON.stringify(profile.name)}`, datadog });
    else {
      const differing = TARGET_SETTINGS.filter((setting) => other.datadog[setting] !== datadog[setting]);
      if (differing.length > 0) {
        problems.push({
          path: at('datadog', differing[0]!),
          message: `reaches the same Datadog organization as ${other.where} (same site, apiUrl and credentials) with another ${differing.join(', ')}: one Datadog organization is reached one way; make them equal`,
        });
      }
    }
  }
  return problems;
}

/** Only the product writes the ownership marker: a configured tag with its key would forge or hide it. */
function markerProblems(integration: z.output<typeof integrationConfigSchema>): { path: string[]; message: string }[] {
  const key = integration.ownershipTagKey;
  const problems = integration.hostTags
    .filter((tag) => isMarkerTag(tag, key))
    .map((tag) => ({
      path: ['integration', 'hostTags'],
      message: `${JSON.stringify(tag)} uses the key of the ownership marker (integration.ownershipTagKey ${JSON.stringify(key)}): the product adds that tag itself; remove it, or choose another ownershipTagKey`,
    }));
  if (integration.accountNameTag !== false && integration.accountNameTag.toLowerCase() === key) {
    problems.push({
      path: ['integration', 'accountNameTag'],
      message: `${JSON.stringify(integration.accountNameTag)} is the key of the ownership marker (integration.ownershipTagKey): choose another key for one of them`,
    });
  }
  return problems;
}

// v1 names namespaces by rule keys (auto_scaling); v2 by CloudWatch namespace (AWS/AutoScaling).
const V1_NAMESPACE_KEY = /^[a-z0-9_]+$/;
const KNOWN_REGIONS = new Set(Object.values(PARTITION_REGIONS).flat());

/** What one API version cannot express of the integration settings. */
function apiVersionProblems(apiVersion: 'v1' | 'v2', integration: z.output<typeof integrationConfigSchema>): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const rulesPath = ['integration', 'namespaceRules'];
  for (const key of Object.keys(integration.namespaceRules)) {
    if (apiVersion === 'v2' && V1_NAMESPACE_KEY.test(key)) {
      problems.push({
        path: rulesPath,
        message:
          `${JSON.stringify(key)} is a v1 namespace key; with datadog.apiVersion "v2" name the CloudWatch namespace, ` +
          'e.g. "AWS/AutoScaling" (list them: dd-aws-org integration namespaces --api-version v2), or convert with dd-aws-org migrate --to v2',
      });
    }
    if (apiVersion === 'v1' && key.includes('/')) {
      problems.push({
        path: rulesPath,
        message: `${JSON.stringify(key)} is a v2 (CloudWatch) namespace; with datadog.apiVersion "v1" use v1 keys such as auto_scaling (dd-aws-org integration namespaces --api-version v1)`,
      });
    }
  }
  if (apiVersion === 'v2') {
    for (const region of integration.excludedRegions) {
      if (!KNOWN_REGIONS.has(region)) {
        problems.push({
          path: ['integration', 'excludedRegions'],
          message:
            `${JSON.stringify(region)} is not a region this version knows; v2 has no exclusion list, so excluded regions are ` +
            'sent as the list of the other known regions: remove it, or use datadog.apiVersion "v1" until the product knows it',
        });
      }
    }
  }
  return problems;
}

export type Config = z.output<typeof configSchema>;
export type DatadogConfig = Config['datadog'];
export type RoleConfig = Config['role'];
export type IntegrationConfig = Config['integration'];
export type ScopeConfig = Config['scope'];
export type DeploymentConfig = Config['deployment'];
export type ReconcileConfig = Config['reconcile'];

/** Does planning need each account's Organizations tags? (One call per account in an org-wide run.) */
export function needsAccountTags(config: Config): boolean {
  return (
    config.scope.optOutTag !== undefined ||
    config.integration.accountTagsAsHostTags.length > 0 ||
    config.profiles.some((profile) => Object.keys(profile.match.tags).length > 0 || profileAccountTags(config, profile))
  );
}

/** A profile copies account tags as host tags. */
function profileAccountTags(config: Config, profile: ProfileConfig): boolean {
  const keys = profile.integration?.accountTagsAsHostTags;
  return Array.isArray(keys) ? keys.length > 0 : config.integration.accountTagsAsHostTags.length > 0;
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const path = issue.path.map(String).join('.');
  const where = path ? `${source}: ${path}` : source;
  if (issue.code === 'unrecognized_keys') return `${where}: ${unknownKeysMessage(issue.keys, issue.path)}`;
  return `${where}: ${issue.message}`;
}

function unknownKeysMessage(keys: readonly string[], path: readonly PropertyKey[]): string {
  const known = knownKeysAt(path);
  return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` + (known.length ? `; known keys here: ${known.join(', ')}` : '');
}

interface SchemaNode {
  shape?: Record<string, SchemaNode>;
  def: { innerType?: SchemaNode; in?: SchemaNode };
}

/** The keys an object schema allows at a path, for "unknown key" messages. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema = configSchema as unknown as SchemaNode;
  for (const key of path) {
    const next = schema.shape?.[String(key)];
    if (!next) return [];
    schema = unwrap(next);
  }
  return schema.shape ? Object.keys(schema.shape) : [];
}

/** Through defaults, prefaults, optionals and pipes to the object inside. */
function unwrap(schema: SchemaNode): SchemaNode {
  let current = schema;
  while (!current.shape && (current.def.innerType || current.def.in)) current = (current.def.innerType ?? current.def.in)!;
  return current;
}

/** Parses raw configuration; on failure throws an InputError listing every bad field and its fix. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = z.safeParse(configSchema, raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${describeIssue(issue, source)}`);
  throw new InputError(`invalid configuration:\n${lines.join('\n')}`);
}
