import type { IAMClient } from '@aws-sdk/client-iam';
import { needsAccountTags, type Config } from '../config/schema';
import type { AwsIntegrationPort, Integration } from '../datadog/port';
import type { Partition } from '../domain/partition';
import { scopeOf } from '../domain/scope';
import { NEW_ACCOUNT_GRACE_MS, type MemberAccess } from './member-access';
import type { AccountObservation, RoleObservation } from './model';
import type { ObservedOrgAccount, OrganizationsReader } from './organizations';
import { readRole } from './role';

export interface ObserveDependencies {
  readonly organizations: OrganizationsReader;
  readonly datadog: AwsIntegrationPort;
  readonly memberAccess: MemberAccess;
  readonly now: () => Date;
}

export interface Observed {
  readonly observation: AccountObservation;
  /** IAM in the member account, when it was reached: the act step writes through it. */
  readonly iam?: IAMClient;
}

/** What an org-wide walk already read about an account: its converge need not read it again. */
export interface KnownFacts {
  readonly partition: Partition;
  /** Our organization's ID; read (once per process) when absent. */
  readonly organizationId?: string;
  readonly organization: ObservedOrgAccount;
  /** Datadog's integrations for the account; read afresh when absent. */
  readonly integrations?: readonly Integration[];
}

/** Organizations + Datadog + the member account's IAM, for one account. Reads only. */
export async function observeAccount(accountId: string, config: Config, deps: ObserveDependencies, known?: KnownFacts): Promise<Observed> {
  const [{ partition, organizationId }, organization, integrations] = known
    ? await Promise.all([
        known.organizationId !== undefined ? { partition: known.partition, organizationId: known.organizationId } : deps.organizations.organization(),
        known.organization,
        known.integrations ?? deps.datadog.listIntegrations({ accountId }),
      ])
    : await Promise.all([
        deps.organizations.organization(),
        deps.organizations.account(accountId, { readTags: needsAccountTags(config) }),
        deps.datadog.listIntegrations({ accountId }),
      ]);
  const base = { accountId, partition, organizationId, organization, integrations };

  if (organization.state !== 'ACTIVE') {
    return { observation: { ...base, role: { kind: 'not-read', reason: `the account is ${organization.state}` } } };
  }
  const scope = scopeOf(organization, config.scope);
  if (scope.effect === 'leave-alone') return { observation: { ...base, role: { kind: 'not-read', reason: scope.reason } } };
  if (!scope.inScope && !config.role.deleteOnOffboard) {
    return { observation: { ...base, role: { kind: 'not-read', reason: 'out of scope and role.deleteOnOffboard is off' } } };
  }

  const access = await deps.memberAccess.iamIn(accountId, partition, config.role.memberAccessRoleName);
  if (access.kind === 'denied') {
    const joinedAgoMs = organization.joinedAt ? deps.now().getTime() - organization.joinedAt.getTime() : undefined;
    const isNew = joinedAgoMs !== undefined && joinedAgoMs < NEW_ACCOUNT_GRACE_MS;
    // The dedicated role lands through the StackSet some time after the account joins (or after the first deploy).
    const dedicated = config.role.memberAccessMode === 'dedicated';
    const role: RoleObservation = {
      kind: 'unreachable',
      retryable: isNew || dedicated,
      reason: isNew
        ? `cannot assume ${config.role.memberAccessRoleName} yet (${access.code}): the account joined ${Math.round(joinedAgoMs! / 60_000)} min ago and new accounts take a while; retry later`
        : dedicated
          ? `cannot assume ${config.role.memberAccessRoleName} in ${accountId} yet (${access.code}): the stack's StackSet creates it there; retry later (if it persists, look at the StackSet's instance for this account; from the CLI, run as one of role.operatorRoleArns)`
          : `cannot assume ${config.role.memberAccessRoleName} in ${accountId} (${access.code}): make sure the role exists there and trusts the management account, or set role.memberAccessRoleName (AWSControlTowerExecution under Control Tower)`,
    };
    return { observation: { ...base, role } };
  }
  return { observation: { ...base, role: await readRole(access.iam, config.role.name) }, iam: access.iam };
}
