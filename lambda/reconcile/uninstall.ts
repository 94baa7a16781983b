import { GetPolicyCommand, GetRoleCommand, ListPoliciesCommand, NoSuchEntityException, type IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { deleteIfPresent } from '../act/execute';
import { deleteCustomerPolicy, deleteRole } from '../act/iam-role';
import type { Config } from '../config/schema';
import type { AwsIntegrationPort } from '../datadog/port';
import { StateError, messageOf } from '../domain/errors';
import { CUSTOMER_POLICY_PATH, isMarkedOurs, isTaggedOurs, ownershipMarker } from '../domain/ownership';
import type { MemberAccess } from '../observe/member-access';
import { mapLimit, walkOrganization } from '../observe/organization-walk';
import { ownershipOf } from '../plan/plan-account';

/**
 * `offboard --all`: everything this deployment provably made, and nothing else. In Datadog,
 * every integration with our organization's marker; in every member account it can reach, the
 * roles and customer managed policies tagged as ours. First found (read only), then removed.
 */

export type UninstallKind = 'integration' | 'role' | 'policy';

export interface UninstallItem {
  readonly accountId: string;
  readonly kind: UninstallKind;
  /** The role name (integration, role) or the policy ARN. */
  readonly name: string;
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
  /** IAM in each reached account, for the removal. */
  readonly iam: ReadonlyMap<string, IAMClient>;
}

export interface UninstallDependencies {
  readonly organizationsClient: OrganizationsClient;
  readonly datadog: AwsIntegrationPort;
  readonly memberAccess: MemberAccess;
}

/** Reads Datadog, the organization and each reachable account's IAM: what `offboard --all` would delete. Writes nothing. */
export async function findOurs(config: Config, deps: UninstallDependencies): Promise<UninstallPlan> {
  const [snapshot, integrations] = await Promise.all([
    walkOrganization(deps.organizationsClient, { readTags: false, concurrency: config.reconcile.concurrency }),
    deps.datadog.listIntegrations(),
  ]);
  const ownership = ownershipOf(config, snapshot.organizationId);
  const marked = integrations.filter((i) => isMarkedOurs(i, ownership));
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
  for (const integration of marked) if (integration.auth.kind === 'role') add({ accountId: integration.accountId, kind: 'integration', name: integration.auth.roleName });
  for (const item of iamItems.flat()) add(item);
  const items = [...byAccount.keys()].sort().flatMap((id) => byAccount.get(id)!);
  notReached.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return { organizationId: snapshot.organizationId, marker: ownershipMarker(ownership), items, notReached, iam };
}

/** Deletes what `findOurs` found, one item at a time (Datadog's writes conflict when concurrent). A failure is reported, not thrown. */
export async function removeOurs(plan: UninstallPlan, deps: Pick<UninstallDependencies, 'datadog'>, onResult?: (result: UninstallResult) => void): Promise<UninstallResult[]> {
  const results: UninstallResult[] = [];
  for (const item of plan.items) {
    let result: UninstallResult;
    try {
      await removeOne(item, plan, deps.datadog);
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
