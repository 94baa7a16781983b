import type { PortCapabilities } from '../datadog/port';
import type { DatadogPermissions } from '../domain/datadog-permissions';
import type { Config } from '../config/schema';
import type { Integration } from '../datadog/port';
import type { AccountObservation, OrgAccount, RoleObservation } from '../observe/model';
import { placeOf, routingOf, type Route } from '../config/profiles';
import { scopeOf } from '../domain/scope';
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
  /** Each Datadog target: its profiles, its accounts, and why it could not be listed. */
  readonly targets: readonly TargetSummary[];
  /** Profiles that match no account of the organization (a typo in an OU ID, say). */
  readonly unmatchedProfiles: readonly string[];
  /**
   * Accounts of the organization whose integration moves to another Datadog target: counted in
   * the summary as to create (or to repair), their old integration's deletion in guard.deletions.
   */
  readonly moves: number;
}

export interface TargetSummary {
  readonly target: string;
  readonly profiles: readonly string[];
  /** Accounts of the organization that report to it. */
  readonly accounts: number;
  /** Its listing failed: its accounts are converged on their own, and nothing there is deleted in this run. */
  readonly failure?: string;
}

/** One Datadog target's listing of integrations, or why it failed. */
export interface TargetListing {
  readonly target: string;
  readonly capabilities: PortCapabilities;
  readonly integrations?: readonly Integration[];
  readonly failure?: string;
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

/** An account whose integration moves to another Datadog target: its plan deletes ours in the old one. */
const isMove = (plan: AccountPlan) => plan.inScope && plan.actions.some((a) => a.type === 'delete-integration' && a.target !== undefined);

/** Every action of a move held (not only its deletion), so that plan, apply and the reconcile leave the account where it is. */
function holdMove(plan: AccountPlan, why: string): AccountPlan {
  return { ...plan, actions: [{ type: 'none', reason: `move held: ${why}` }], held: plan.actions.filter((a) => a.type !== 'none') };
}

/** One Datadog target (no profiles reporting elsewhere): its listing, planned. */
export function planOrganization(
  snapshot: OrganizationSnapshot,
  integrations: readonly Integration[],
  config: Config,
  capabilities: PortCapabilities,
  limits: GuardLimits,
  roles: ReadonlyMap<string, RoleObservation> = new Map(),
  permissions?: DatadogPermissions,
): OrganizationPlan {
  const target = routingOf(config).defaultTarget.name;
  return planTargets(snapshot, [{ target, capabilities, integrations }], config, limits, roles, permissions);
}

/**
 * The organization over every Datadog target: each account planned with its profile's settings
 * against its own target's listing, what it has in the other targets, and the deletion guard
 * over all of them. A target whose listing failed: its accounts are blocked (to retry), and
 * nothing in it is deleted.
 */
export function planTargets(
  snapshot: OrganizationSnapshot,
  listings: readonly TargetListing[],
  config: Config,
  limits: GuardLimits,
  roles: ReadonlyMap<string, RoleObservation> = new Map(),
  permissions?: DatadogPermissions,
): OrganizationPlan {
  const routing = routingOf(config);
  const planner = accountPlanner(listings, config, snapshot, permissions);
  const known = new Set(snapshot.accounts.map((a) => a.accountId));
  // An integration whose account the walk did not find: the account is gone (or the listing is wrong: the guard decides).
  const goneIds = new Set<string>();
  for (const listing of listings) for (const integration of listing.integrations ?? []) if (!known.has(integration.accountId)) goneIds.add(integration.accountId);
  const gone: OrgAccount[] = [...goneIds]
    .sort()
    .map((accountId) => ({ accountId, state: 'NOT_IN_ORGANIZATION', parentPath: [], tags: {}, isManagementAccount: false }));

  const reporting = new Map<string, number>();
  const matched = new Set<string>();
  for (const account of snapshot.accounts) {
    const route = routing.routeOf(account);
    reporting.set(route.target.name, (reporting.get(route.target.name) ?? 0) + 1);
    if (route.profile !== undefined) matched.add(route.profile);
  }
  const plans = [...snapshot.accounts, ...gone].map((organization) =>
    planner(organization, organization.state === 'ACTIVE' ? (roles.get(organization.accountId) ?? { kind: 'not-inspected' }) : { kind: 'not-read', reason: `the account is ${organization.state}` }),
  );
  const byTarget = new Map(listings.map((l) => [l.target, l]));

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
    // A move is held whole: its account stays working where it is rather than half moved.
    plans: tripped ? plans.map((plan) => (isMove(plan) ? holdMove(plan, held) : holdDeletions(plan, held))) : plans,
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
    targets: routing.targets.map((t) => {
      const failure = byTarget.get(t.name)?.failure;
      return { target: t.name, profiles: t.profiles, accounts: reporting.get(t.name) ?? 0, ...(failure !== undefined && { failure }) };
    }),
    unmatchedProfiles: config.profiles.map((p) => p.name).filter((name) => !matched.has(name)),
    moves: plans.filter(isMove).length,
  };
}

/** An account in the targets' listings: its route, its own target's integrations, and what the others list. */
export interface AccountInListings {
  readonly route: Route;
  /** In its own target; absent when that target's listing failed (then `failure` says why). */
  readonly integrations?: readonly Integration[];
  readonly failure?: string;
  /** Every other target that was listed, with the account's integrations there (none: empty). */
  readonly elsewhere: Readonly<Record<string, readonly Integration[]>>;
  /** The other targets whose listing failed. */
  readonly unlisted: readonly { readonly target: string; readonly reason: string }[];
}

/** Each target's listing grouped by account once; then, per account, where it stands in them. */
export function accountInListings(
  listings: readonly TargetListing[],
  config: Config,
): (account: Pick<OrgAccount, 'accountId' | 'parentPath' | 'tags'>) => AccountInListings {
  const routing = routingOf(config);
  const grouped = listings.map((l) => ({ ...l, byAccount: l.integrations && groupByAccount(l.integrations) }));
  return (account) => {
    const route = routing.routeOf(account);
    const elsewhere: Record<string, readonly Integration[]> = {};
    const unlisted: { target: string; reason: string }[] = [];
    let own: { integrations?: readonly Integration[]; failure?: string } = {};
    for (const { target, byAccount, failure } of grouped) {
      const there = byAccount ? (byAccount.get(account.accountId) ?? []) : undefined;
      if (target === route.target.name) own = there ? { integrations: there } : { failure };
      else if (there) elsewhere[target] = there;
      else unlisted.push({ target, reason: failure ?? 'not listed' });
    }
    return { route, ...own, elsewhere, unlisted };
  };
}

/**
 * Plans one account of the organization from the targets' listings: with its profile's settings,
 * its own target's integrations, and what it has in the others. Its own target unlisted: blocked,
 * to retry (its worker lists it).
 */
export function accountPlanner(
  listings: readonly TargetListing[],
  config: Config,
  organizationFacts: { readonly partition: OrganizationSnapshot['partition']; readonly organizationId: string },
  permissions?: DatadogPermissions,
): (organization: OrgAccount, role: RoleObservation) => AccountPlan {
  const listed = accountInListings(listings, config);
  const capabilities = new Map(listings.map((l) => [l.target, l.capabilities]));
  return (organization, role) => {
    const { route, integrations, failure, elsewhere, unlisted } = listed(organization);
    const withIntegrations = Object.entries(elsewhere).filter(([, there]) => there.length > 0);
    const observation: AccountObservation = {
      accountId: organization.accountId,
      partition: organizationFacts.partition,
      organizationId: organizationFacts.organizationId,
      organization,
      integrations: integrations ?? [],
      route: placeOf(route),
      ...(withIntegrations.length > 0 && { elsewhere: withIntegrations.map(([target, there]) => ({ target, integrations: there })) }),
      ...(unlisted.length > 0 && { unlisted }),
      role,
    };
    const plan = planAccount(observation, route.config, capabilities.get(route.target.name) ?? listings[0]!.capabilities, permissions);
    // Left alone (the management account, an excluded one under onExclusion "leave"): its target's listing changes nothing.
    // An offboarded one (closed, say) is blocked: what of ours its target holds is not known.
    const leftAlone = scopeOf(organization, route.config.scope).effect === 'leave-alone';
    if (failure !== undefined && organization.state !== 'NOT_IN_ORGANIZATION' && !leftAlone) {
      return { ...plan, actions: [], held: undefined, blocked: { reason: `Datadog target ${route.target.name} could not be listed (${failure}): retry later`, retryable: true } };
    }
    return plan;
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
