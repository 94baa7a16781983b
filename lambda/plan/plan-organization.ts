import type { PortCapabilities } from '../datadog/port';
import type { DatadogPermissions } from '../domain/datadog-permissions';
import type { Config } from '../config/schema';
import type { Integration } from '../datadog/port';
import type { AccountObservation, OrgAccount, RoleObservation } from '../observe/model';
import type { OrganizationSnapshot } from '../observe/organization-walk';
import { holdDeletions, planAccount, type AccountPlan, type ActionType } from './plan-account';

/** The whole organization planned at once, with the same decision as one account. Pure. */

export interface DeletionGuard {
  /** More deletions than allowed: the run deletes nothing (every deletion is held), does the rest, and fails loudly. */
  readonly tripped: boolean;
  readonly deletions: number;
  readonly limit: number;
  readonly reason: string;
}

export interface OrganizationSummary {
  readonly accounts: number;
  readonly inSync: number;
  readonly toCreate: number;
  readonly toRepair: number;
  readonly toDelete: number;
}

export interface OrganizationPlan {
  readonly plans: readonly AccountPlan[];
  readonly summary: OrganizationSummary;
  readonly guard: DeletionGuard;
}

export interface GuardLimits {
  readonly maxDeletions: number;
  /** Percentage of the organization's accounts. */
  /** Percentage of the organization's accounts; absent when the operator named the count for this run. */
  readonly maxDeletionsPercent?: number;
}

/** What kind of work an account needs, for the summary: create wins over delete over repair. */
export function workKind(plan: AccountPlan): 'in-sync' | 'create' | 'delete' | 'repair' {
  const types = new Set<ActionType>(plan.actions.map((a) => a.type));
  if (types.has('create-integration')) return 'create';
  if (types.has('delete-integration') || types.has('delete-role')) return 'delete';
  if (plan.blocked || [...types].some((t) => t !== 'none')) return 'repair';
  return 'in-sync';
}

/** Integrations by account ID, built once: an organization has thousands of both. */
export function groupByAccount(integrations: readonly Integration[]): ReadonlyMap<string, readonly Integration[]> {
  const byAccount = new Map<string, Integration[]>();
  for (const integration of integrations) {
    const list = byAccount.get(integration.accountId);
    if (list) list.push(integration);
    else byAccount.set(integration.accountId, [integration]);
  }
  return byAccount;
}

export function planOrganization(
  snapshot: OrganizationSnapshot,
  integrations: readonly Integration[],
  config: Config,
  capabilities: PortCapabilities,
  limits: GuardLimits,
  roles: ReadonlyMap<string, RoleObservation> = new Map(),
  permissions?: DatadogPermissions,
): OrganizationPlan {
  const byAccount = groupByAccount(integrations);
  const known = new Set(snapshot.accounts.map((a) => a.accountId));
  // An integration whose account the walk did not find: the account is gone (or the listing is wrong: the guard decides).
  const gone: OrgAccount[] = [...byAccount.keys()]
    .filter((id) => !known.has(id))
    .sort()
    .map((accountId) => ({ accountId, state: 'NOT_IN_ORGANIZATION', parentPath: [], tags: {}, isManagementAccount: false }));

  const plans = [...snapshot.accounts, ...gone].map((organization) => {
    const observation: AccountObservation = {
      accountId: organization.accountId,
      partition: snapshot.partition,
      organizationId: snapshot.organizationId,
      organization,
      integrations: byAccount.get(organization.accountId) ?? [],
      role: organization.state === 'ACTIVE' ? (roles.get(organization.accountId) ?? { kind: 'not-inspected' }) : { kind: 'not-read', reason: `the account is ${organization.state}` },
    };
    return planAccount(observation, config, capabilities, permissions);
  });

  const kinds = plans.map(workKind);
  const count = (kind: ReturnType<typeof workKind>) => kinds.filter((k) => k === kind).length;
  const deletions = plans.filter((p) => p.actions.some((a) => a.type === 'delete-integration')).length;
  // Both limits apply; the percentage never takes the limit below one (a small organization still loses accounts).
  const percent = limits.maxDeletionsPercent;
  const limit =
    percent === undefined ? limits.maxDeletions : Math.min(limits.maxDeletions, Math.max(1, Math.floor((snapshot.accounts.length * percent) / 100)));
  const limitsText =
    percent === undefined
      ? `--max-deletions ${limits.maxDeletions}`
      : `maxDeletionsPerRun ${limits.maxDeletions}, maxDeletionsPercent ${percent}% of ${snapshot.accounts.length} accounts`;
  const tripped = deletions > limit;
  const held = `the deletion guard allows ${limit} deletion${limit === 1 ? '' : 's'} per run and the plan has ${deletions}`;
  return {
    // Tripped: every deletion is held; creations and repairs go ahead.
    plans: tripped ? plans.map((plan) => holdDeletions(plan, held)) : plans,
    // The summary counts what the plan wants, held deletions included.
    summary: { accounts: plans.length, inSync: count('in-sync'), toCreate: count('create'), toRepair: count('repair'), toDelete: count('delete') },
    guard: {
      tripped,
      deletions,
      limit,
      reason: tripped
        ? `the plan deletes ${deletions} integrations, more than the ${limit} allowed per run (${limitsText}): every deletion is held, creations and repairs go ahead. If the organization really lost these accounts, run apply with --max-deletions ${deletions}`
        : `${deletions} deletion${deletions === 1 ? '' : 's'}, within the limit of ${limit}`,
    },
  };
}

export interface HeldDeletion {
  readonly accountId: string;
  readonly type: ActionType;
  readonly reason: string;
}

/** The deletions the deletion guard held back, account by account (none when it did not trip). */
export function heldDeletions(plan: OrganizationPlan): HeldDeletion[] {
  return plan.plans.flatMap((p) => (p.held ?? []).map((a) => ({ accountId: p.accountId, type: a.type, reason: a.reason })));
}
