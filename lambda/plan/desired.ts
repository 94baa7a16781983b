import type { Config } from '../config/schema';
import type { IntegrationSettings } from '../datadog/port';
import { DATADOG_SITES, type DatadogSite } from '../datadog/sites';
import { PARTITION_REGIONS, settingsAsV2Reads } from '../datadog/v2/mapping';
import { InputError } from '../domain/errors';
import { MANAGED_BY_TAG, isMarkerTag, ownershipMarker } from '../domain/ownership';
import {
  accountRootArn,
  allowedActions,
  managedPolicyArn,
  permissionPolicies,
  policySize,
  type Partition,
  type PolicyDocument,
} from '../domain/policy';
import { PINNED_PERMISSIONS, type DatadogPermissions } from '../observe/datadog-permissions';
import type { ObservedRole, OrgAccount } from '../observe/model';

/** What an in-scope account should look like, derived from the configuration alone. */

export const PERMISSIONS_POLICY_NAME = 'DatadogIntegrationPolicy';
/** IAM: all inline policies of a role together hold at most 10,240 characters. */
const INLINE_POLICIES_MAX_CHARS = 10_240;
/** IAM: a managed policy holds at most 6,144 characters (without white space). */
const POLICY_MAX_CHARS = 6_144;
/** IAM's default quota of managed policies attached to one role. */
const MANAGED_POLICIES_PER_ROLE = 10;
/** Customer managed policies this product creates live under this path, so they are told apart from anyone else's. */
export const CUSTOMER_POLICY_PATH = '/datadog-aws-org-integration/';

export interface DesiredRole {
  readonly roleName: string;
  readonly principalArn: string;
  /** Inline permission policies by name (several when one would be too large): Datadog's standard list. */
  readonly inlinePolicies: Readonly<Record<string, PolicyDocument>>;
  /**
   * Customer managed policies by name, under CUSTOMER_POLICY_PATH: Datadog's resource-collection
   * list, too large for the inline budget, split at 6,144 characters each (as Datadog's own template does).
   */
  readonly customerPolicies: Readonly<Record<string, PolicyDocument>>;
  readonly managedPolicyArns: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
}

/** The AWS account Datadog assumes roles from, for this site and the customer's partition. */
export function datadogPrincipalArn(site: DatadogSite, partition: Partition): string {
  const principals: { principal: string; govCloudPrincipal?: string } = DATADOG_SITES[site];
  if (partition === 'aws-us-gov') {
    if (!principals.govCloudPrincipal) {
      throw new InputError(`Datadog site ${site} does not serve AWS GovCloud accounts: use ddog-gov.com or us2.ddog-gov.com (datadog.site)`);
    }
    return accountRootArn(partition, principals.govCloudPrincipal);
  }
  if (partition !== 'aws') throw new InputError(`the ${partition} partition is not supported by Datadog's AWS integration`);
  return accountRootArn(partition, principals.principal);
}

export function policyName(index: number, count: number): string {
  return count === 1 ? PERMISSIONS_POLICY_NAME : `${PERMISSIONS_POLICY_NAME}${index + 1}`;
}

export function isOurPolicyName(name: string): boolean {
  return name === PERMISSIONS_POLICY_NAME || /^DatadogIntegrationPolicy\d+$/.test(name);
}

/** The names of the resource-collection policies for a role: one per account, tied to the role name. */
export function resourceCollectionPolicyName(roleName: string, index: number): string {
  return `${roleName}-ResourceCollection${index + 1}`;
}

/** A customer managed policy this product made for this role (by path and name). */
export function isOurCustomerPolicyArn(arn: string, roleName: string): boolean {
  const at = arn.indexOf(`:policy${CUSTOMER_POLICY_PATH}`);
  if (at < 0) return false;
  const name = arn.slice(at + `:policy${CUSTOMER_POLICY_PATH}`.length);
  const prefix = `${roleName}-ResourceCollection`;
  return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
}

export function customerPolicyArn(partition: Partition, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:policy${CUSTOMER_POLICY_PATH}${name}`;
}

/**
 * While Datadog cannot be asked, keep what the role has on top of the pinned list: nothing is
 * taken away on the word of a list that may be older than Datadog's.
 */
export function permissionsToApply(permissions: DatadogPermissions, role: ObservedRole | undefined): DatadogPermissions {
  if (permissions.source !== 'fallback' || !role) return permissions;
  const inline = Object.entries(role.inlinePolicies).filter(([name]) => isOurPolicyName(name)).map(([, document]) => document);
  return {
    ...permissions,
    standard: [...new Set([...permissions.standard, ...allowedActions(inline)])].sort(),
    resourceCollection: [...new Set([...permissions.resourceCollection, ...allowedActions(Object.values(role.customerPolicies))])].sort(),
  };
}

export function desiredRole(config: Config, partition: Partition, permissions: DatadogPermissions = PINNED_PERMISSIONS): DesiredRole {
  const documents = permissionPolicies(permissions.standard, POLICY_MAX_CHARS);
  const total = documents.reduce((sum, document) => sum + policySize(document), 0);
  if (total > INLINE_POLICIES_MAX_CHARS) {
    throw new InputError(`Datadog's permissions need ${total} characters of inline policy, more than IAM's ${INLINE_POLICIES_MAX_CHARS} per role`);
  }
  const { cspm, resourceCollection } = config.integration;
  const collecting = cspm || resourceCollection;
  const customer = collecting ? permissionPolicies(permissions.resourceCollection, POLICY_MAX_CHARS) : [];
  // Datadog's resource collection and CSPM read through AWS's SecurityAudit policy.
  const managedPolicyArns = collecting ? [managedPolicyArn(partition, 'SecurityAudit')] : [];
  if (managedPolicyArns.length + customer.length > MANAGED_POLICIES_PER_ROLE) {
    throw new InputError(
      `Datadog's resource-collection permissions need ${customer.length} managed policies, more than IAM's ${MANAGED_POLICIES_PER_ROLE} per role with SecurityAudit`,
    );
  }
  return {
    roleName: config.role.name,
    principalArn: datadogPrincipalArn(config.datadog.site, partition),
    inlinePolicies: Object.fromEntries(documents.map((document, i) => [policyName(i, documents.length), document])),
    customerPolicies: Object.fromEntries(customer.map((document, i) => [resourceCollectionPolicyName(config.role.name, i), document])),
    managedPolicyArns,
    tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value },
    description: 'Lets Datadog read this account for the AWS integration (managed by datadog-aws-org-integration)',
  };
}

/** Datadog lowercases tags and turns characters it does not keep into underscores: do it first, so no drift loops. */
export function normalizeTagPart(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_\-.:/]/g, '_');
}

/**
 * The settings of our integration of this account. The host tags always end with our ownership
 * marker (v1 host_tags, v2 account_tags), so no update ever removes it; a tag with the marker's
 * key that is not ours (another deployment's, or an account tag copied over) never goes in.
 */
export function desiredSettings(config: Config, account: OrgAccount, organizationId: string): IntegrationSettings {
  const { integration } = config;
  const markerKey = integration.ownershipTagKey;
  const derived: string[] = [];
  if (integration.accountNameTag !== false && account.name) {
    derived.push(`${integration.accountNameTag}:${normalizeTagPart(account.name)}`);
  }
  for (const key of integration.accountTagsAsHostTags) {
    const value = account.tags[key];
    if (value !== undefined && value !== '') derived.push(`${normalizeTagPart(key)}:${normalizeTagPart(value)}`);
  }
  const marker = ownershipMarker({ markerKey, organizationId });
  return {
    hostTags: [...new Set([...integration.hostTags, ...derived].filter((tag) => !isMarkerTag(tag, markerKey))), marker],
    filterTags: [...integration.filterTags],
    excludedRegions: [...integration.excludedRegions],
    namespaceRules: { ...integration.namespaceRules },
    metricsCollection: integration.metricsCollection,
    cspmResourceCollection: integration.cspm,
    extendedResourceCollection: integration.resourceCollection || integration.cspm,
  };
}

/**
 * The desired settings as Datadog will show them once written, for comparison: v2 reads
 * namespace rules back as one exclusion list and excluded regions as the known ones only.
 */
export function expectedSettings(config: Config, account: OrgAccount, partition: Partition, organizationId: string): IntegrationSettings {
  const desired = desiredSettings(config, account, organizationId);
  return config.datadog.apiVersion === 'v2' ? settingsAsV2Reads(desired, PARTITION_REGIONS[partition]) : desired;
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a.map((x) => x.toLowerCase()));
  const right = new Set(b.map((x) => x.toLowerCase()));
  return left.size === right.size && [...left].every((x) => right.has(x));
};

export const sameRules = (a: Readonly<Record<string, boolean>>, b: Readonly<Record<string, boolean>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The settings fields (Datadog's names) that differ. */
export function settingsDrift(actual: IntegrationSettings, desired: IntegrationSettings): string[] {
  const drift: string[] = [];
  if (!sameSet(actual.hostTags, desired.hostTags)) drift.push('host_tags');
  if (!sameSet(actual.filterTags, desired.filterTags)) drift.push('filter_tags');
  if (!sameSet(actual.excludedRegions, desired.excludedRegions)) drift.push('excluded_regions');
  if (!sameRules(actual.namespaceRules, desired.namespaceRules)) drift.push('account_specific_namespace_rules');
  if (actual.metricsCollection !== desired.metricsCollection) drift.push('metrics_collection_enabled');
  if (actual.cspmResourceCollection !== desired.cspmResourceCollection) drift.push('cspm_resource_collection_enabled');
  if (actual.extendedResourceCollection !== desired.extendedResourceCollection) drift.push('extended_resource_collection_enabled');
  return drift;
}
