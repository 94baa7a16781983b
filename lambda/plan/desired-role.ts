import type { Config } from '../config/schema';
import { InputError } from '../domain/errors';
import { PINNED_PERMISSIONS, type DatadogPermissions } from '../domain/datadog-permissions';
import { MANAGED_BY_TAG, policyName, resourceCollectionPolicyName } from '../domain/ownership';
import type { Partition } from '../domain/partition';
import { managedPolicyArn, permissionPolicies, policySize, type PolicyDocument } from '../domain/policy';
import { datadogPrincipalArn } from './datadog-principal';

/** The role an in-scope account should have, derived from the configuration and Datadog's permission lists alone. */

/** IAM: all inline policies of a role together hold at most 10,240 characters. */
const INLINE_POLICIES_MAX_CHARS = 10_240;
/** IAM: a managed policy holds at most 6,144 characters (without white space). */
const POLICY_MAX_CHARS = 6_144;
/** IAM's default quota of managed policies attached to one role. */
const MANAGED_POLICIES_PER_ROLE = 10;
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

