import type { IAMClient } from '@aws-sdk/client-iam';
import { needsAccountTags, type Config } from '../config/schema';
import { placeOf, routingOf, type Route } from '../config/profiles';
import type { AwsIntegrationPort, Integration } from '../datadog/port';
import { portOf, type DatadogTargets } from '../datadog/targets';
import { messageOf } from '../domain/errors';
import type { Partition } from '../domain/partition';
import { scopeOf } from '../domain/scope';
import { NEW_ACCOUNT_GRACE_MS, type MemberAccess } from './member-access';
import type { AccountObservation, RoleObservation, TargetIntegrations } from './model';
import type { ObservedOrgAccount, OrganizationsReader } from './organizations';
import { readRole } from './role';

export interface ObserveDependencies {
  readonly organizations: OrganizationsReader;
  /** The default target's port (the only one without profiles that report elsewhere). */
  readonly datadog: AwsIntegrationPort;
  /** Every target's port, when profiles report to other Datadog organizations. */
  readonly targets?: DatadogTargets;
  readonly memberAccess: MemberAccess;
  readonly now: () => Date;
}

export interface Observed {
  readonly observation: AccountObservation;
  /** IAM in the member account, when it was reached: the act step writes through it. */
  readonly iam?: IAMClient;
  /** The account's profile, settings and Datadog target. */
  readonly route: Route;
}

/** What an org-wide walk already read about an account: its converge need not read it again. */
export interface KnownFacts {
  readonly partition: Partition;
  /** Our organization's ID; read (once per process) when absent. */
  readonly organizationId?: string;
  readonly organization: ObservedOrgAccount;
  /** Datadog's integrations for the account in its own target; read afresh when absent. */
  readonly integrations?: readonly Integration[];
  /** Its integrations in other targets, by target name (those absent are listed afresh). */
  readonly elsewhere?: Readonly<Record<string, readonly Integration[]>>;
}

/**
 * Organizations + Datadog (every target the account may have an integration in) + the member
 * account's IAM, for one account. Reads only.
 *
 * The role is read as soon as the scope is decided, alongside what is still being read: at once
 * from an org-wide walk's facts; else once the account is described where the scope does not
 * look at OUs, or once its OU path is read where it does. Never before: an account excluded
 * (an excluded OU may be excluded precisely so that it is never touched) is not assumed into.
 */
export function observeAccount(accountId: string, config: Config, deps: ObserveDependencies, known?: KnownFacts): Promise<Observed> {
  return observeAccountInStages(accountId, config, deps, known).observed;
}

/** What is known of an account before its OU path is (where the scope does not look at OUs). */
export interface Decided {
  readonly inScope: boolean;
  /** In the account's own target. */
  readonly integrations: readonly Integration[];
  readonly role: RoleObservation;
  readonly route: Route;
}

/** The observation, and ahead of it what the scope, Datadog's listing and the role tell (for the act step to prepare: mint-ahead.ts). */
export function observeAccountInStages(
  accountId: string,
  config: Config,
  deps: ObserveDependencies,
  known?: KnownFacts,
): { readonly decided: Promise<Decided>; readonly observed: Promise<Observed>; readonly route: Promise<Route> } {
  const reading = known ? undefined : deps.organizations.read(accountId, { readTags: needsAccountTags(config) });
  const described = reading ? reading.described : Promise.resolve(known!.organization);
  const complete = reading ? reading.complete : described;
  // Without facts, the account is described first: its ARN names the organization (no DescribeOrganization ahead of the OU path).
  const facts =
    known?.organizationId !== undefined
      ? Promise.resolve({ partition: known.partition, organizationId: known.organizationId })
      : described.then(() => deps.organizations.organization());
  const scoped = scopeLooksAtOus(config.scope) ? complete : described;
  const role = Promise.all([scoped, facts]).then(([account, { partition }]) => observeRole(accountId, account, partition, config, deps));
  const routing = routingOf(config);
  // Every target is listed alongside (several targets), what the facts hold excepted.
  const knownRoute = known && routing.routeOf(known.organization);
  const listings = new Map(
    (routing.multiTarget ? routing.targets : [routing.defaultTarget]).map((target) => {
      const given = knownRoute?.target === target ? known?.integrations : known?.elsewhere?.[target.name];
      const listing = given ? Promise.resolve(given) : portOf(deps, target.name).listIntegrations({ accountId });
      listing.catch(() => undefined); // awaited below; a failure of another target is only noted
      return [target.name, listing] as const;
    }),
  );
  // The route follows the OU path and the tags when there are profiles; without, it is the top level's.
  const route = config.profiles.length > 0 ? complete.then((account) => routing.routeOf(account)) : Promise.resolve(routing.routeOf({ accountId, parentPath: [], tags: {} }));
  const listed = route.then((r) => listings.get(r.target.name)!);
  const decided = Promise.all([listed, role, route]).then(([integrations, { inScope, observation }, r]) => ({ inScope, integrations, role: observation, route: r }));
  decided.catch(() => undefined);
  const observed = Promise.all([facts, complete, listed, role, route]).then(
    async ([{ partition, organizationId }, organization, integrations, { observation, iam }, r]): Promise<Observed> => ({
      observation: {
        accountId,
        partition,
        organizationId,
        organization,
        integrations,
        route: placeOf(r),
        ...(await otherTargets(listings, r.target.name)),
        role: observation,
      },
      ...(iam && { iam }),
      route: r,
    }),
  );
  route.catch(() => undefined);
  // The route on its own: a read that fails after it is known can still name the profile and target.
  return { decided, observed, route };
}

/** Whether the scope's decision depends on the account's OU path (includeOus, excludeOus). */
export function scopeLooksAtOus(scope: Config['scope']): boolean {
  return scope.includeOus.length > 0 || scope.excludeOus.length > 0;
}

/** The role, read through the member access role when the scope says the account is to be worked on. */
async function observeRole(
  accountId: string,
  organization: ObservedOrgAccount,
  partition: Partition,
  config: Config,
  deps: ObserveDependencies,
): Promise<{ inScope: boolean; observation: RoleObservation; iam?: IAMClient }> {
  if (organization.state !== 'ACTIVE') return { inScope: false, observation: { kind: 'not-read', reason: `the account is ${organization.state}` } };
  const { inScope, effect, reason } = scopeOf(organization, config.scope);
  if (effect === 'leave-alone') return { inScope, observation: { kind: 'not-read', reason } };
  if (!inScope && !config.role.deleteOnOffboard) {
    return { inScope, observation: { kind: 'not-read', reason: 'out of scope and role.deleteOnOffboard is off' } };
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
    return { inScope, observation: role };
  }
  return { inScope, observation: await readRole(access.iam, config.role.name), iam: access.iam };
}

/** The other targets' listings: those that answered (with integrations for the account), and those that failed. */
async function otherTargets(
  listings: ReadonlyMap<string, Promise<readonly Integration[]>>,
  own: string,
): Promise<{ elsewhere?: TargetIntegrations[]; unlisted?: { target: string; reason: string }[] }> {
  const elsewhere: TargetIntegrations[] = [];
  const unlisted: { target: string; reason: string }[] = [];
  for (const [target, listing] of listings) {
    if (target === own) continue;
    try {
      const integrations = await listing;
      if (integrations.length > 0) elsewhere.push({ target, integrations });
    } catch (error) {
      unlisted.push({ target, reason: messageOf(error) });
    }
  }
  return { ...(elsewhere.length > 0 && { elsewhere }), ...(unlisted.length > 0 && { unlisted }) };
}
