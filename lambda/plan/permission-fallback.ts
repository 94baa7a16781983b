import type { DatadogPermissions } from '../domain/datadog-permissions';
import { isOurPolicyName } from '../domain/ownership';
import { allowedActions } from '../domain/policy';
import type { ObservedRole } from '../observe/model';

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
