import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { needsAccountTags, type Config } from '../config/schema';
import type { AwsIntegrationPort, Integration, PortCapabilities } from '../datadog/port';
import { StateError, messageOf } from '../domain/errors';
import type { DatadogPermissions } from '../domain/datadog-permissions';
import type { MemberAccess } from '../observe/member-access';
import type { OrgAccount, RoleObservation } from '../observe/model';
import type { AccountFacts } from '../queue/messages';
import { mapLimit, walkOrganization, type OrganizationSnapshot, type WalkProgress } from '../observe/organization-walk';
import type { ObservedOrgAccount, OrganizationFacts, OrganizationsReader } from '../observe/organizations';
import { isOurIntegration } from '../domain/ownership';
import { planAccount } from '../plan/plan-account';
import { groupByAccount, planOrganization, workKind, type GuardLimits, type OrganizationPlan } from '../plan/plan-organization';
import { scopeOf } from '../domain/scope';

/** The whole organization: one walk, one Datadog listing, the same decision per account. */

export interface OrganizationDependencies {
  readonly organizationsClient: OrganizationsClient;
  readonly organizations: OrganizationsReader;
  readonly datadog: AwsIntegrationPort;
  /** Needed to read roles (the CLI's plan and apply; the per-account runs read them too). */
  readonly memberAccess?: MemberAccess;
  /** Datadog's current IAM permission lists, that read roles are compared with (the pinned list when absent). */
  readonly permissions?: () => Promise<DatadogPermissions>;
  readonly now: () => Date;
}

export interface ObservedOrganization {
  readonly snapshot: OrganizationSnapshot;
  readonly integrations: readonly Integration[];
  /** What the Datadog API that listed them can do (the planner compares as it reads back). */
  readonly capabilities: PortCapabilities;
  /** The roles read (readRoles), by account: the others are planned without theirs. */
  readonly roles: ReadonlyMap<string, RoleObservation>;
  /** Datadog's permission lists that the roles read are compared with. */
  readonly permissions?: DatadogPermissions;
  /** Accounts whose tags the plan needed but time did not allow: each must be converged on its own. */
  readonly tagsMissing: readonly string[];
}

export interface ObserveOrganizationOptions {
  /** Stop reading tags at this time (ms since epoch): a Lambda's time budget. */
  readonly tagsDeadline?: number;
  /** Each page of accounts as the walk finds it, with Datadog's integrations (for streaming work). */
  readonly onAccounts?: (accounts: readonly ObservedOrgAccount[], integrations: readonly Integration[]) => void;
  /** The organization's ID and partition, as soon as the walk knows them. */
  readonly onOrganization?: (facts: OrganizationFacts) => void;
  /** How far the walk has got (a progress display). */
  readonly onWalkProgress?: (progress: WalkProgress) => void;
}

/** One walk of Organizations and one Datadog listing; no role is read. */
export async function observeOrganization(
  config: Config,
  deps: OrganizationDependencies,
  options: ObserveOrganizationOptions = {},
): Promise<ObservedOrganization> {
  const readTags = needsAccountTags(config);
  const listing = deps.datadog.listIntegrations();
  // Pages that arrive before Datadog's listing wait for it, in order.
  let delivered = Promise.resolve();
  const onAccounts = options.onAccounts;
  const [snapshot, integrations] = await Promise.all([
    walkOrganization(deps.organizationsClient, {
      readTags,
      concurrency: config.reconcile.concurrency,
      tagsDeadline: options.tagsDeadline,
      now: () => deps.now().getTime(),
      onAccounts:
        onAccounts &&
        ((page) => {
          delivered = delivered.then(async () => onAccounts(page, await listing));
          // Handled at once: if the listing fails, Promise.all below reports it; nothing may linger unhandled.
          delivered.catch(() => undefined);
        }),
      onOrganization: options.onOrganization,
      onProgress: options.onWalkProgress,
    }),
    listing,
  ]);
  await delivered;
  const tagsMissing = readTags
    ? snapshot.accounts
        .filter((a) => a.state === 'ACTIVE' && !snapshot.tagsRead.has(a.accountId))
        .filter((a) => !a.isManagementAccount || config.scope.includeManagementAccount)
        .map((a) => a.accountId)
    : [];
  return { snapshot, integrations, capabilities: deps.datadog.capabilities, roles: new Map(), tagsMissing };
}

/**
 * Reads the roles of these accounts as the worker would (observeAccount, with what the walk read),
 * `reconcile.concurrency` at a time unless told otherwise. A read that fails leaves that account unreachable, with why,
 * rather than failing the whole plan.
 */
export async function readRoles(
  observed: ObservedOrganization,
  accountIds: readonly string[],
  config: Config,
  deps: OrganizationDependencies,
  options: { readonly concurrency?: number; readonly onRead?: (done: number, total: number) => void } = {},
): Promise<ObservedOrganization> {
  const wanted = new Set(accountIds);
  // Only an active account has a role to read (the others are offboarded without).
  const targets = observed.snapshot.accounts.filter((a) => a.state === 'ACTIVE' && wanted.has(a.accountId));
  if (targets.length === 0) return observed;
  const memberAccess = deps.memberAccess;
  if (!memberAccess) throw new StateError('reading roles needs member account access', false);
  const permissions = await deps.permissions?.();
  const byAccount = groupByAccount(observed.integrations);
  const roles = new Map(observed.roles);
  // Loaded only here: the scheduled reconcile never reads roles itself, and so never loads the IAM and STS clients.
  const { observeAccount } = await import('../observe/observe-account');
  let done = 0;
  await mapLimit(targets, options.concurrency ?? config.reconcile.concurrency, async (organization) => {
    const { accountId } = organization;
    try {
      const { observation } = await observeAccount(accountId, config, { ...deps, memberAccess }, {
        partition: observed.snapshot.partition,
        organizationId: observed.snapshot.organizationId,
        organization,
        integrations: byAccount.get(accountId) ?? [],
      });
      // Not read (out of scope, role.deleteOnOffboard off): the plan needs nothing of it.
      if (observation.role.kind !== 'not-read') roles.set(accountId, observation.role);
    } catch (error) {
      roles.set(accountId, { kind: 'unreachable', retryable: false, reason: `reading role ${config.role.name} failed: ${messageOf(error)}` });
    }
    options.onRead?.(++done, targets.length);
  });
  return { ...observed, roles, ...(permissions && { permissions }) };
}

export function guardLimits(config: Config, maxDeletions?: number): GuardLimits {
  // An explicit --max-deletions is the operator's decision for this run: it replaces both limits.
  return maxDeletions === undefined
    ? { maxDeletions: config.reconcile.maxDeletionsPerRun, maxDeletionsPercent: config.reconcile.maxDeletionsPercent }
    : { maxDeletions };
}

export function planObservedOrganization(observed: ObservedOrganization, config: Config, limits: GuardLimits): OrganizationPlan {
  return planOrganization(observed.snapshot, observed.integrations, config, observed.capabilities, limits, observed.roles, observed.permissions);
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
function isOursInScope(account: OrgAccount, integrations: readonly Integration[], config: Config): boolean {
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
  const byAccount = groupByAccount(observed.integrations);
  const roleChecks = inspectRoles
    ? observed.snapshot.accounts.filter((a) => isOursInScope(a, byAccount.get(a.accountId) ?? [], config)).map((a) => a.accountId)
    : [];
  return [...new Set([...accountsToConverge(plan, observed), ...roleChecks])].filter((id) => !heldBack.has(id));
}

export interface ReconcileRun {
  readonly plan: OrganizationPlan;
  readonly observed: ObservedOrganization;
  /** Accounts handed to `enqueue`, in order. */
  readonly enqueued: readonly string[];
  /** Accounts with a deletion the guard held back. */
  readonly heldBack: readonly string[];
}

export interface ReconcileItem {
  readonly accountId: string;
  /** What the walk read, so the worker need not read Organizations again (absent for deletions: those are re-read). */
  readonly facts?: AccountFacts;
  /** The deletion guard tripped in this run: the worker deletes nothing for this account. */
  readonly holdDeletions?: boolean;
}

/**
 * The scheduled reconcile: walk, plan, and hand every account that needs work to `enqueue`.
 * Creations and repairs are handed over while the walk goes on (when no tags are needed), so the
 * workers start at once; deletions wait for the whole plan, because the deletion guard counts them.
 */
export async function reconcileOrganization(
  config: Config,
  deps: OrganizationDependencies,
  options: { enqueue: (items: ReconcileItem[]) => Promise<void>; dryRun: boolean; tagsDeadline?: number },
): Promise<ReconcileRun> {
  const enqueued: string[] = [];
  const sent = new Set<string>();
  let failure: unknown;
  const sending: Promise<void>[] = [];
  const observedAt = deps.now().toISOString();
  let organization: Pick<OrganizationFacts, 'organizationId' | 'partition'> = { organizationId: '', partition: 'aws' };
  const send = (items: ReconcileItem[]) => {
    const fresh = items.filter((item) => !sent.has(item.accountId));
    if (fresh.length === 0 || options.dryRun) return;
    fresh.forEach((item) => sent.add(item.accountId));
    enqueued.push(...fresh.map((item) => item.accountId));
    // Listened to at once: a failure must fail the run, not linger unhandled while the walk goes on.
    sending.push(options.enqueue(fresh).catch((error: unknown) => void (failure ??= error)));
  };
  const factsOf = (account: ObservedOrgAccount, tagsRead: boolean, integrations?: readonly Integration[]): AccountFacts => ({
    observedAt,
    partition: organization.partition,
    organizationId: organization.organizationId,
    state: account.state,
    name: account.name,
    parentPath: [...account.parentPath],
    tags: { ...account.tags },
    tagsRead,
    isManagementAccount: account.isManagementAccount,
    ...(account.joinedAt && { joinedAt: account.joinedAt.toISOString() }),
    ...(integrations && { integrations: [...integrations] }),
  });
  const streaming = !needsAccountTags(config);
  // Datadog's listing arrives once; group it by account once.
  let grouped: ReadonlyMap<string, readonly Integration[]> | undefined;
  const integrationsOf = (all: readonly Integration[], accountId: string) => (grouped ??= groupByAccount(all)).get(accountId) ?? [];
  const observed = await observeOrganization(config, deps, {
    tagsDeadline: options.tagsDeadline,
    onOrganization: (facts) => (organization = facts),
    onAccounts: streaming
      ? (page, integrations) => {
          const ready = page.filter((account) => {
            if (account.state !== 'ACTIVE') return false;
            const observation = {
              accountId: account.accountId,
              partition: organization.partition,
              organizationId: organization.organizationId,
              organization: account,
              integrations: integrationsOf(integrations, account.accountId),
              role: { kind: 'not-inspected' as const },
            };
            const kind = workKind(planAccount(observation, config, deps.datadog.capabilities));
            // In sync on Datadog's side: its role is still checked, when roles are inspected and it is ours.
            return kind === 'create' || kind === 'repair' || (config.reconcile.inspectRoles && kind === 'in-sync' && isOursInScope(account, observation.integrations, config));
          });
          send(
            ready.map((account) => ({
              accountId: account.accountId,
              facts: factsOf(account, false, integrationsOf(integrations, account.accountId)),
            })),
          );
        }
      : undefined,
  });
  const plan = planObservedOrganization(observed, config, guardLimits(config));
  const deleting = new Set(plan.plans.filter((p) => p.actions.some((a) => a.type === 'delete-integration')).map((p) => p.accountId));
  const heldBack = heldBackByGuard(plan);
  const holdDeletions = plan.guard.tripped;
  const accounts = new Map(observed.snapshot.accounts.map((a) => [a.accountId, a]));
  send(
    accountsForWorkers(plan, observed, config).map((accountId) => {
      const account = accounts.get(accountId);
      const usable = account && !deleting.has(accountId);
      return {
        accountId,
        facts: usable ? factsOf(account, observed.snapshot.tagsRead.has(accountId), integrationsOf(observed.integrations, accountId)) : undefined,
        ...(holdDeletions && { holdDeletions }),
      };
    }),
  );
  await Promise.all(sending);
  if (failure !== undefined) throw failure;
  return { plan, observed, enqueued, heldBack };
}
