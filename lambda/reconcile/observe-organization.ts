import { needsAccountTags, type Config } from '../config/schema';
import type { Integration } from '../datadog/port';
import { portOf } from '../datadog/targets';
import { routingOf } from '../config/profiles';
import type { DatadogPermissions } from '../domain/datadog-permissions';
import { StateError, messageOf } from '../domain/errors';
import type { RoleObservation } from '../observe/model';
import { mapLimit, walkOrganization, type OrganizationSnapshot, type WalkProgress } from '../observe/organization-walk';
import type { ObservedOrgAccount, OrganizationFacts } from '../observe/organizations';
import type { OrganizationDependencies } from '../organization-dependencies';
import { accountInListings, type TargetListing } from '../plan/plan-organization';

/** The whole organization, read: one walk, one Datadog listing, and (for a plan that shows them) the roles. */

export interface ObservedOrganization {
  readonly snapshot: OrganizationSnapshot;
  /** Each Datadog target's integrations (one listing per target), with what its API can do, or why it failed. */
  readonly listings: readonly TargetListing[];
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
  /** Each page of accounts as the walk finds it, with every target's listing (for streaming work). */
  readonly onAccounts?: (accounts: readonly ObservedOrgAccount[], listings: readonly TargetListing[]) => void;
  /** The organization's ID and partition, as soon as the walk knows them. */
  readonly onOrganization?: (facts: OrganizationFacts) => void;
  /** How far the walk has got (a progress display). */
  readonly onWalkProgress?: (progress: WalkProgress) => void;
}

/**
 * One walk of Organizations and one Datadog listing per target; no role is read. With several
 * targets, one that cannot be listed is reported (its accounts are retried, nothing in it is
 * deleted); the run fails only when none can be.
 */
export async function observeOrganization(
  config: Config,
  deps: OrganizationDependencies,
  options: ObserveOrganizationOptions = {},
): Promise<ObservedOrganization> {
  const readTags = needsAccountTags(config);
  const listing = listTargets(config, deps);
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
  return { snapshot, listings: integrations, roles: new Map(), tagsMissing };
}

async function listTargets(config: Config, deps: OrganizationDependencies): Promise<TargetListing[]> {
  const routing = routingOf(config);
  if (!routing.multiTarget) {
    const port = deps.datadog;
    return [{ target: routing.defaultTarget.name, capabilities: port.capabilities, integrations: await port.listIntegrations() }];
  }
  const settled = await Promise.allSettled(routing.targets.map((target) => portOf(deps, target.name).listIntegrations()));
  const failed = settled.filter((s) => s.status === 'rejected');
  if (failed.length === settled.length) throw failed[0]!.reason;
  return routing.targets.map((target, index) => {
    const result = settled[index]!;
    const capabilities = portOf(deps, target.name).capabilities;
    return result.status === 'fulfilled'
      ? { target: target.name, capabilities, integrations: result.value }
      : { target: target.name, capabilities, failure: messageOf(result.reason) };
  });
}

/** An account's integrations in its own target, and in the others (by target name), as listed: what its converge need not list again. */
export function accountListings(observed: Pick<ObservedOrganization, 'listings'>, config: Config): (account: Pick<ObservedOrgAccount, 'accountId' | 'parentPath' | 'tags'>) => {
  integrations?: readonly Integration[];
  elsewhere: Readonly<Record<string, readonly Integration[]>>;
} {
  const listed = accountInListings(observed.listings, config);
  return (account) => {
    const { integrations, elsewhere } = listed(account);
    return { ...(integrations && { integrations }), elsewhere };
  };
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
  const listed = accountListings(observed, config);
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
        ...listed(organization),
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
