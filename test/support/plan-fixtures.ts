/**
 * Builders for planAccount tests: an observation of an ACTIVE, in-scope account where
 * everything already matches the configuration, and helpers that change one thing at a time.
 */
import { parseConfig, type Config } from '../../lambda/config/schema';
import type { Integration, IntegrationSettings } from '../../lambda/datadog/port';
import type { Partition } from '../../lambda/domain/partition';
import { datadogTrustPolicy, type PolicyDocument, type PolicyStatement } from '../../lambda/domain/policy';
import type { AccountObservation, ObservedRole, OrgAccount, RoleObservation } from '../../lambda/observe/model';
import type { AccountPlan, ActionType } from '../../lambda/plan/plan-account';
import type { DatadogPermissions } from '../../lambda/domain/datadog-permissions';
import { MANAGED_BY_TAG } from '../../lambda/domain/ownership';
import { desiredRole } from '../../lambda/plan/desired-role';
import { expectedSettings } from '../../lambda/plan/desired-settings';
import { capabilitiesOf } from '../../lambda/datadog/capabilities';

export const ACCOUNT_ID = '123456789012';
/** Our AWS organization, and another one sharing the Datadog organization. */
export const ORGANIZATION_ID = 'o-ourorg1234';
export const OTHER_ORGANIZATION_ID = 'o-theirorg987';
/** Our ownership marker under the default integration.ownershipTagKey. */
export const MARKER = `datadog-aws-org-integration:${ORGANIZATION_ID}`;
export const MANAGEMENT_ACCOUNT_ID = '999999999999';
export const ROOT_ID = 'r-ab12';
export const OU_WORKLOADS = 'ou-ab12-11111111';
export const OU_PROD = 'ou-ab12-22222222';
export const OU_SANDBOX = 'ou-ab12-33333333';
export const EXTERNAL_ID = '0123456789abcdef0123456789abcdef';
export const OTHER_EXTERNAL_ID = 'fedcba9876543210fedcba9876543210';
/** Datadog's principal for datadoghq.com (commercial partition). */
export const US1_PRINCIPAL = 'arn:aws:iam::464622532012:root';
/** Datadog's principal for ap1.datadoghq.com: the "wrong site" principal. */
export const AP1_PRINCIPAL = 'arn:aws:iam::417141415827:root';
export const SECURITY_AUDIT = 'arn:aws:iam::aws:policy/SecurityAudit';
export const OTHER_ROLE_NAME = 'SomeOtherTeamDatadogRole';
export const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

/** The canonical execution order of planAccount's actions. */
export const CANONICAL_ORDER: readonly ActionType[] = [
  'create-integration',
  'rotate-external-id',
  'adopt-integration',
  'update-integration',
  'create-role',
  'update-role-trust',
  'update-role-policy',
  'delete-integration',
  'delete-role',
];

/** A full configuration: the defaults of parseConfig({}), with the given sections overridden. */
export function makeConfig(raw: Record<string, unknown> = {}): Config {
  return parseConfig(raw);
}

export function orgAccount(overrides: Partial<OrgAccount> = {}): OrgAccount {
  return {
    accountId: ACCOUNT_ID,
    state: 'ACTIVE',
    name: 'Payments Prod',
    parentPath: [ROOT_ID, OU_WORKLOADS, OU_PROD],
    tags: { team: 'payments' },
    isManagementAccount: false,
    ...overrides,
  };
}

/** Our role, exactly as desired: trust for one external ID, our inline policies, our tag. */
export function desiredObservedRole(config: Config, partition: Partition = 'aws', externalId = EXTERNAL_ID): ObservedRole {
  const desired = desiredRole(config, partition);
  return {
    roleName: config.role.name,
    trustPolicy: datadogTrustPolicy(desired.principalArn, externalId),
    tags: { ...desired.tags },
    inlinePolicies: { ...desired.inlinePolicies },
    attachedPolicyArns: [...desired.managedPolicyArns],
    customerPolicies: { ...desired.customerPolicies },
  };
}

/** Datadog's lists as read from Datadog: these standard actions, no resource-collection ones. */
export function standardOnly(standard: readonly string[], resourceCollection: readonly string[] = []): DatadogPermissions {
  return { standard, resourceCollection, source: 'datadog' };
}

/** Our integration (the configured role name), with the desired settings as the configured API version reads them. */
export function ourIntegration(config: Config, account: OrgAccount = orgAccount(), overrides: Partial<Integration> = {}): Integration {
  return {
    accountId: account.accountId,
    auth: { kind: 'role', roleName: config.role.name },
    settings: expectedSettings(capabilitiesOf(config.datadog.apiVersion), config, account, 'aws', ORGANIZATION_ID),
    ...overrides,
  };
}

export function otherRoleIntegration(settings: IntegrationSettings, roleName = OTHER_ROLE_NAME, externalId?: string): Integration {
  return {
    accountId: ACCOUNT_ID,
    auth: { kind: 'role', roleName },
    settings,
    ...(externalId === undefined ? {} : { externalId }),
  };
}

export function accessKeyIntegration(settings: IntegrationSettings, accessKeyId = ACCESS_KEY_ID): Integration {
  return { accountId: ACCOUNT_ID, auth: { kind: 'access-key', accessKeyId }, settings };
}

export interface InSyncOptions {
  readonly config?: Config;
  readonly partition?: Partition;
  readonly externalId?: string;
  readonly account?: Partial<OrgAccount>;
}

/** An ACTIVE, in-scope account where the integration and the role match the configuration. */
export function inSyncObservation(options: InSyncOptions = {}): AccountObservation {
  const config = options.config ?? makeConfig();
  const partition = options.partition ?? 'aws';
  const organization = orgAccount(options.account);
  return {
    accountId: organization.accountId,
    partition,
    organizationId: ORGANIZATION_ID,
    organization,
    integrations: [ourIntegration(config, organization)],
    role: { kind: 'present', role: desiredObservedRole(config, partition, options.externalId) },
  };
}

// ---- one thing at a time -------------------------------------------------------------

export function withOrganization(observation: AccountObservation, changes: Partial<OrgAccount>): AccountObservation {
  return { ...observation, organization: { ...observation.organization, ...changes } };
}

export function withRoleObservation(observation: AccountObservation, role: RoleObservation): AccountObservation {
  return { ...observation, role };
}

/** Changes the observed role (which must be present). */
export function withRole(observation: AccountObservation, changes: Partial<ObservedRole>): AccountObservation {
  if (observation.role.kind !== 'present') throw new Error('withRole: the observed role is not present');
  return { ...observation, role: { kind: 'present', role: { ...observation.role.role, ...changes } } };
}

export function withTrust(observation: AccountObservation, trustPolicy: PolicyDocument | undefined): AccountObservation {
  return withRole(observation, { trustPolicy });
}

export function withIntegrations(observation: AccountObservation, integrations: readonly Integration[]): AccountObservation {
  return { ...observation, integrations };
}

export function withoutOurIntegration(observation: AccountObservation, config: Config): AccountObservation {
  return withIntegrations(
    observation,
    observation.integrations.filter((i) => !(i.auth.kind === 'role' && i.auth.roleName === config.role.name)),
  );
}

/** Changes our integration (the one with the configured role name). */
export function withOurIntegration(observation: AccountObservation, config: Config, changes: Partial<Integration>): AccountObservation {
  return withIntegrations(
    observation,
    observation.integrations.map((i) => (i.auth.kind === 'role' && i.auth.roleName === config.role.name ? { ...i, ...changes } : i)),
  );
}

export function withSettings(observation: AccountObservation, config: Config, changes: Partial<IntegrationSettings>): AccountObservation {
  const ours = observation.integrations.find((i) => i.auth.kind === 'role' && i.auth.roleName === config.role.name);
  if (!ours) throw new Error('withSettings: no integration of ours');
  return withOurIntegration(observation, config, { settings: { ...ours.settings, ...changes } });
}

export function trustStatement(principal: string | string[] | '*', externalId?: string | string[]): PolicyStatement {
  return {
    Effect: 'Allow',
    Principal: principal === '*' ? '*' : { AWS: principal },
    Action: 'sts:AssumeRole',
    ...(externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }),
  };
}

export function trustDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

// ---- reading plans ------------------------------------------------------------------

export const typesOf = (plan: AccountPlan): ActionType[] => plan.actions.map((a) => a.type);

export const reasonOf = (plan: AccountPlan, type: ActionType): string => {
  const action = plan.actions.find((a) => a.type === type);
  if (!action) throw new Error(`no ${type} action in ${JSON.stringify(plan.actions)}`);
  return action.reason;
};

/** Recursively freezes a value in place (every nested object and array) and returns it. */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
    Object.freeze(value);
  }
  return value;
}

export { MANAGED_BY_TAG };
