import type { Route } from '../config/profiles';
import type { AwsIntegrationPort } from '../datadog/port';
import type { Decided } from '../observe/observe-account';

/**
 * Whether an account will get a new integration, from what is known before its OU path: in
 * scope, its role reachable (read: absent or present), and Datadog lists no integration with our
 * role name (none to adopt or update). Pure.
 */
export function willCreateIntegration(decided: Decided, roleName: string): boolean {
  const reachable = decided.role.kind === 'absent' || decided.role.kind === 'present';
  const listed = decided.integrations.some((i) => i.auth.kind === 'role' && i.auth.roleName === roleName);
  return decided.inScope && reachable && !listed;
}

/**
 * Where the port mints external IDs before the create (v2), the ID for an account that will get
 * a new integration is minted while the rest of the account is read: the role is written trusting
 * it as soon as the plan is made, instead of after one more Datadog round trip. Only once the
 * scope and the role say so (nothing is minted for an account that is left alone). Undefined
 * when there is nothing to mint or the mint fails: the act step then mints as it would have.
 * An ID minted for a plan that ends up creating nothing is never used and expires (48 hours).
 */
export async function mintAhead(
  decided: Promise<Decided>,
  roleName: string,
  portOf: (route: Route) => AwsIntegrationPort,
): Promise<string | undefined> {
  try {
    const known = await decided;
    // In the account's own target (its profile may report to another Datadog organization).
    const datadog = portOf(known.route);
    if (!datadog.capabilities.mintsExternalIdBeforeCreate || !willCreateIntegration(known, roleName)) return undefined;
    return await datadog.mintExternalId();
  } catch {
    return undefined;
  }
}
