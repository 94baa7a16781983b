import type { Config } from '../config/schema';
import type { Integration } from '../datadog/port';
import type { OrgAccount } from '../domain/account';
import { isOurIntegration } from '../domain/ownership';
import { scopeOf } from '../domain/scope';
import { planTargets, workKind, type GuardLimits, type OrganizationPlan } from '../plan/plan-organization';
import { accountListings, type ObservedOrganization } from './observe-organization';

/** The organization's plan, and which accounts it gives work to. */

export function guardLimits(config: Config, maxDeletions?: number): GuardLimits {
  // An explicit --max-deletions is the operator's decision for this run: it replaces both limits.
  return maxDeletions === undefined
    ? { maxDeletions: config.reconcile.maxDeletionsPerRun, maxDeletionsPercent: config.reconcile.maxDeletionsPercent }
    : { maxDeletions };
}

export function planObservedOrganization(observed: ObservedOrganization, config: Config, limits: GuardLimits): OrganizationPlan {
  return planTargets(observed.snapshot, observed.listings, config, limits, observed.roles, observed.permissions);
}

/** Accounts a run must converge: every planned change, and every account whose tags could not be read. */
export function accountsToConverge(plan: OrganizationPlan, observed: ObservedOrganization): string[] {
  const changed = plan.plans.filter((p) => workKind(p) !== 'in-sync').map((p) => p.accountId);
  return [...new Set([...changed, ...observed.tagsMissing])];
}

/** Accounts with a deletion that the tripped guard holds back (the plan holds every deletion): the reconciler does not hand them over. */
export function heldBackByGuard(plan: OrganizationPlan): string[] {
  return plan.plans.filter((p) => p.held?.length).map((p) => p.accountId);
}

/** In scope, active, with our integration: the accounts whose roles `reconcile.inspectRoles` has checked. */
export function isOursInScope(account: OrgAccount, integrations: readonly Integration[], config: Config): boolean {
  return account.state === 'ACTIVE' && scopeOf(account, config.scope).inScope && integrations.some((i) => isOurIntegration(i, config.role.name));
}

/**
 * The accounts the scheduled reconcile hands to its workers, from a plan made without roles:
 * every planned change and unread tags (less the deletions a tripped guard holds back), and,
 * when roles are inspected, every active account in scope with our integration. Each worker
 * reads its account's role: these are the roles a plan must read to show what the run will do.
 */
export function accountsForWorkers(
  plan: OrganizationPlan,
  observed: ObservedOrganization,
  config: Config,
  inspectRoles: boolean = config.reconcile.inspectRoles,
): string[] {
  const heldBack = new Set(heldBackByGuard(plan));
  const listed = accountListings(observed, config);
  const roleChecks = inspectRoles
    ? observed.snapshot.accounts.filter((a) => isOursInScope(a, listed(a).integrations ?? [], config)).map((a) => a.accountId)
    : [];
  return [...new Set([...accountsToConverge(plan, observed), ...roleChecks])].filter((id) => !heldBack.has(id));
}
