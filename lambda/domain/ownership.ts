import type { Integration } from '../datadog/port';
import type { Partition } from './partition';

/**
 * The one ownership rule: what this deployment may call its own, and so change or delete.
 * A role name proves nothing by itself (Datadog's own templates use DatadogIntegrationRole,
 * and one Datadog organization often serves several AWS organizations), so what we create or
 * adopt carries a marker: the Datadog tag <key>:<our AWS organization ID>.
 */

/** The tag on every IAM role and customer managed policy this product creates. */
export const MANAGED_BY_TAG = { key: 'managed-by', value: 'datadog-aws-org-integration' } as const;

/** The default key of the ownership marker (integration.ownershipTagKey). */
export const DEFAULT_OWNERSHIP_TAG_KEY = 'datadog-aws-org-integration';

/** What proves ownership in one deployment: the configured role name and our organization's marker. */
export interface Ownership {
  readonly roleName: string;
  /** The tag key of the marker (integration.ownershipTagKey). */
  readonly markerKey: string;
  /** Our AWS organization's ID (o-...), from Organizations' DescribeOrganization. */
  readonly organizationId: string;
}

/** The marker tag, as Datadog stores tags (lowercase). */
export function ownershipMarker(ownership: Pick<Ownership, 'markerKey' | 'organizationId'>): string {
  return `${ownership.markerKey}:${ownership.organizationId}`.toLowerCase();
}

const tagKey = (tag: string) => tag.slice(0, Math.max(0, tag.indexOf(':'))).toLowerCase();

/** Is this tag a marker (ours or another deployment's), by its key? */
export function isMarkerTag(tag: string, markerKey: string): boolean {
  return tagKey(tag) === markerKey.toLowerCase();
}

/** The organization IDs the integration's markers name (ours, another deployment's, or none). */
export function markedOrganizations(integration: Integration, markerKey: string): string[] {
  return integration.settings.hostTags.filter((tag) => isMarkerTag(tag, markerKey)).map((tag) => tag.slice(tag.indexOf(':') + 1).toLowerCase());
}

/** Does the integration carry our organization's marker? */
export function carriesOurMarker(integration: Integration, ownership: Pick<Ownership, 'markerKey' | 'organizationId'>): boolean {
  const marker = ownershipMarker(ownership);
  return integration.settings.hostTags.some((tag) => tag.toLowerCase() === marker);
}

/**
 * The integration this deployment manages for an account of its organization: a role
 * integration with the configured role name (access-key integrations and other role names never are).
 */
export function isOurIntegration(integration: Integration, roleName: string): boolean {
  return integration.auth.kind === 'role' && integration.auth.roleName === roleName;
}

/** Provably made or adopted by this deployment, wherever the account is now: a role integration with our marker. */
export function isMarkedOurs(integration: Integration, ownership: Pick<Ownership, 'markerKey' | 'organizationId'>): boolean {
  return integration.auth.kind === 'role' && carriesOurMarker(integration, ownership);
}

export type DeletionVerdict = { readonly allowed: true; readonly proof: string } | { readonly allowed: false; readonly why: string };

/**
 * May this deployment delete this integration, when the account is offboarded?
 * - the role name must be the configured one (other role names and access keys are never ours);
 * - an account still in our organization (closed, suspended, opted out): the role name suffices;
 * - an account not in our organization (removed, left, or never ours): only with our marker.
 */
export function mayDeleteIntegration(integration: Integration, inOurOrganization: boolean, ownership: Ownership): DeletionVerdict {
  if (integration.auth.kind !== 'role') return { allowed: false, why: `access key ${integration.auth.accessKeyId}: access-key integrations are not ours` };
  const roleName = integration.auth.roleName;
  if (roleName !== ownership.roleName) return { allowed: false, why: `role ${roleName}: not the configured role ${ownership.roleName}` };
  if (inOurOrganization) return { allowed: true, proof: `the account is in organization ${ownership.organizationId} and the role is ${roleName}` };
  const marker = ownershipMarker(ownership);
  if (carriesOurMarker(integration, ownership)) return { allowed: true, proof: `it carries our marker ${marker}` };
  const others = markedOrganizations(integration, ownership.markerKey);
  return {
    allowed: false,
    why:
      `role ${roleName}: the account is not in organization ${ownership.organizationId} and the integration does not carry ${marker}` +
      (others.length > 0 ? ` (it carries the marker of ${others.join(', ')}, another deployment's)` : ', so nothing proves this deployment made it'),
  };
}

/** IAM tags as a map (a role's) or as a list (a policy's, as IAM returns them). */
type Tags = Readonly<Record<string, string>> | readonly { readonly Key?: string; readonly Value?: string }[] | undefined;

/** A role or a customer managed policy this product created: it carries MANAGED_BY_TAG. Nothing else is ever deleted in IAM. */
export function isTaggedOurs(tags: Tags): boolean {
  if (!tags) return false;
  if (Array.isArray(tags)) return tags.some((tag) => tag.Key === MANAGED_BY_TAG.key && tag.Value === MANAGED_BY_TAG.value);
  return (tags as Readonly<Record<string, string>>)[MANAGED_BY_TAG.key] === MANAGED_BY_TAG.value;
}

/** Our names in IAM: the inline permission policies and the customer managed policies this product writes. */

export const PERMISSIONS_POLICY_NAME = 'DatadogIntegrationPolicy';
/** Customer managed policies this product creates live under this path, so they are told apart from anyone else's. */
export const CUSTOMER_POLICY_PATH = '/datadog-aws-org-integration/';

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
