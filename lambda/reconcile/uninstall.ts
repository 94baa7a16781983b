import { GetPolicyCommand, GetRoleCommand, ListPoliciesCommand, NoSuchEntityException, type IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { deleteIfPresent } from '../act/execute';
import { deleteCustomerPolicy, deleteRole } from '../act/iam-role';
import type { Config } from '../config/schema';
import { routingOf } from '../config/profiles';
import type { AwsIntegrationPort, Integration } from '../datadog/port';
import { portOf, type DatadogTargets } from '../datadog/targets';
import { StateError, messageOf } from '../domain/errors';
import { CUSTOMER_POLICY_PATH, isMarkedOurs, isTaggedOurs, ownershipMarker } from '../domain/ownership';
import type { MemberAccess } from '../observe/member-access';
import { mapLimit, walkOrganization } from '../observe/organization-walk';
import { ownershipOf } from '../plan/plan-account';

/**
 * `offboard --all`: everything this deployment provably made, and nothing else. In Datadog,
 * every integration with our organization's marker, in every target the profiles report to
 * (each deleted in the target that holds it); in every member account it can reach, the
 * roles and customer managed policies tagged as ours. First found (read only), then removed.
 */

export type UninstallKind = 'integration' | 'role' | 'policy';

export interface UninstallItem {
  readonly accountId: string;
  readonly kind: UninstallKind;
  /** The role name (integration, role) or the policy ARN. */
  readonly name: string;
  /** An integration: the Datadog target that holds it. */
  readonly target?: string;
}

export interface UninstallResult extends UninstallItem {
  readonly status: 'deleted' | 'failed';
  readonly error?: string;
}

export interface UninstallPlan {
  readonly organizationId: string;
  readonly marker: string;
  /** In the order they are removed: per account its integrations, then its roles, then its policies. */
  readonly items: readonly UninstallItem[];
  /** Accounts whose IAM could not be reached: whatever of ours is there stays. */
  readonly notReached: readonly { readonly accountId: string; readonly reason: string }[];
  /** Datadog targets that could not be listed: our integrations there stay (another run finds them). */
  readonly unlisted: readonly { readonly target: string; readonly reason: string }[];
  /** IAM in each reached account, for the removal. */
  readonly iam: ReadonlyMap<string, IAMClient>;
}

export interface UninstallDependencies {
  readonly organizationsClient: OrganizationsClient;
  readonly datadog: AwsIntegrationPort;
  /** Every Datadog target the profiles report to (absent: the one of `datadog`). */
  readonly targets?: DatadogTargets;
  readonly memberAccess: MemberAccess;
}

interface ListedIntegration {
  readonly integration: Integration;
  readonly target: string;
}

/**
 * Every target's integrations, each with the target that holds it. With several targets, one
 * that cannot be listed is reported and the others go ahead; all failing (or the one) throws.
 */
async function listEveryTarget(config: Config, deps: Pick<UninstallDependencies, 'datadog' | 'targets'>): Promise<{ listed: ListedIntegration[]; unlisted: UninstallPlan['unlisted'] }> {
  const routing = routingOf(config);
  const settled = await Promise.allSettled(routing.targets.map((t) => portOf(deps, t.name).listIntegrations()));
  const failed = settled.filter((s) => s.status === 'rejected');
  if (failed.length > 0 && (!routing.multiTarget || failed.length === settled.length)) throw failed[0]!.reason;
  const listed: ListedIntegration[] = [];
  const unlisted: { target: string; reason: string }[] = [];
  settled.forEach((result, index) => {
    const target = routing.targets[index]!.name;
    if (result.status === 'fulfilled') listed.push(...result.value.map((integration) => ({ integration, target })));
    else unlisted.push({ target, reason: messageOf(result.reason) });
  });
  return { listed, unlisted };
}

/** Reads Datadog, the organization and each reachable account's IAM: what `offboard --all` would delete. Writes nothing. */
export async function findOurs(config: Config, deps: UninstallDependencies): Promise<UninstallPlan> {
  const [snapshot, { listed, unlisted }] = await Promise.all([
    walkOrganization(deps.organizationsClient, { readTags: false, concurrency: config.reconcile.concurrency }),
    listEveryTarget(config, deps),
  ]);
  const ownership = ownershipOf(config, snapshot.organizationId);
  // One marker per deployment (integration.ownershipTagKey is top-level only): the same test in every target.
  const markedListed = listed.filter(({ integration }) => isMarkedOurs(integration, ownership));
  const marked = markedListed.map(({ integration }) => integration);
  const roleNamesOf = (accountId: string) => [
    ...new Set([config.role.name, ...marked.flatMap((i) => (i.accountId === accountId && i.auth.kind === 'role' ? [i.auth.roleName] : []))]),
  ];
  const notReached: { accountId: string; reason: string }[] = [];
  const iam = new Map<string, IAMClient>();
  const active = snapshot.accounts.filter((a) => a.state === 'ACTIVE');
  const iamItems = await mapLimit(active, config.reconcile.concurrency, async (account): Promise<UninstallItem[]> => {
    const access = await deps.memberAccess.iamIn(account.accountId, snapshot.partition, config.role.memberAccessRoleName);
    if (access.kind === 'denied') {
      notReached.push({ accountId: account.accountId, reason: `cannot assume ${config.role.memberAccessRoleName} (${access.code})` });
      return [];
    }
    iam.set(account.accountId, access.iam);
    const roles: UninstallItem[] = [];
    for (const roleName of roleNamesOf(account.accountId)) {
      if (await isOurRole(access.iam, roleName)) roles.push({ accountId: account.accountId, kind: 'role', name: roleName });
    }
    const policies = (await ourCustomerPolicies(access.iam)).map((arn): UninstallItem => ({ accountId: account.accountId, kind: 'policy', name: arn }));
    return [...roles, ...policies];
  });
  const byAccount = new Map<string, UninstallItem[]>();
  const add = (item: UninstallItem) => byAccount.set(item.accountId, [...(byAccount.get(item.accountId) ?? []), item]);
  for (const { integration, target } of markedListed) {
    if (integration.auth.kind === 'role') add({ accountId: integration.accountId, kind: 'integration', name: integration.auth.roleName, target });
  }
  for (const item of iamItems.flat()) add(item);
  const items = [...byAccount.keys()].sort().flatMap((id) => byAccount.get(id)!);
  notReached.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return { organizationId: snapshot.organizationId, marker: ownershipMarker(ownership), items, notReached, unlisted, iam };
}

/** Deletes what `findOurs` found, one item at a time (Datadog's writes conflict when concurrent). A failure is reported, not thrown. */
export async function removeOurs(
  plan: UninstallPlan,
  deps: Pick<UninstallDependencies, 'datadog' | 'targets'>,
  onResult?: (result: UninstallResult) => void,
): Promise<UninstallResult[]> {
  const results: UninstallResult[] = [];
  for (const item of plan.items) {
    let result: UninstallResult;
    try {
      await removeOne(item, plan, item.target === undefined ? deps.datadog : portOf(deps, item.target));
      result = { ...item, status: 'deleted' };
    } catch (error) {
      result = { ...item, status: 'failed', error: messageOf(error) };
    }
    results.push(result);
    onResult?.(result);
  }
  return results;
}

async function removeOne(item: UninstallItem, plan: UninstallPlan, datadog: AwsIntegrationPort): Promise<void> {
  if (item.kind === 'integration') return deleteIfPresent(datadog, { accountId: item.accountId, roleName: item.name });
  const iam = plan.iam.get(item.accountId);
  if (!iam) throw new StateError(`IAM in account ${item.accountId} is not reachable`, false);
  if (item.kind === 'role') await deleteRole(iam, item.name);
  else await deleteCustomerPolicy(iam, item.name);
}

async function isOurRole(iam: IAMClient, roleName: string): Promise<boolean> {
  try {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    return isTaggedOurs(role?.Tags);
  } catch (error) {
    if (error instanceof NoSuchEntityException) return false;
    throw error;
  }
}

/** Customer managed policies under our path that carry our tag (ListPolicies leaves tags out: each is read). */
async function ourCustomerPolicies(iam: IAMClient): Promise<string[]> {
  const arns: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: CUSTOMER_POLICY_PATH, Marker }));
    for (const policy of page.Policies ?? []) if (policy.Arn) arns.push(policy.Arn);
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  const ours: string[] = [];
  for (const arn of arns) {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    if (isTaggedOurs(policy?.Tags)) ours.push(arn);
  }
  return ours;
}
