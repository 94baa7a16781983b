import type { IAMClient } from '@aws-sdk/client-iam';
import { needsAccountTags, type Config } from '../config/schema';
import { routingOf, type Route } from '../config/profiles';
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
 * Organizations + Datadog (every target the account may have an integration in) + the member account's IAM, for one account. Reads only.
 * `onRoute` is told the account's route as soon as it is known: a read that fails later can still name the profile and target.
 */
export async function observeAccount(accountId: string, config: Config, deps: ObserveDependencies, known?: KnownFacts, onRoute?: (route: Route) => void): Promise<Observed> {
  const routing = routingOf(config);
  // The route needs the OU path; the listings do not wait for it: every target is listed alongside (several targets only).
  const knownRoute = known && routing.routeOf(known.organization);
  const listings = new Map(
    (routing.multiTarget ? routing.targets : [routing.defaultTarget]).map((target) => {
      const given = knownRoute?.target === target ? known?.integrations : known?.elsewhere?.[target.name];
      const listing = given ? Promise.resolve(given) : portOf(deps, target.name).listIntegrations({ accountId });
      listing.catch(() => undefined); // awaited below; a failure of another target is only noted
      return [target.name, listing] as const;
    }),
  );
  const [{ partition, organizationId }, organization] = await Promise.all([
    known?.organizationId !== undefined ? { partition: known.partition, organizationId: known.organizationId } : deps.organizations.organization(),
    known ? known.organization : deps.organizations.account(accountId, { readTags: needsAccountTags(config) }),
  ]);
  const route = routing.routeOf(organization);
  onRoute?.(route);
  const integrations = await listings.get(route.target.name)!;
  const others = await otherTargets(listings, route.target.name);
  const base = {
    accountId,
    partition,
    organizationId,
    organization,
    integrations,
    route: { ...(route.profile !== undefined && { profile: route.profile }), target: route.target.name },
    ...others,
  };
  config = route.config;

  if (organization.state !== 'ACTIVE') {
    return { observation: { ...base, role: { kind: 'not-read', reason: `the account is ${organization.state}` } }, route };
  }
  const scope = scopeOf(organization, config.scope);
  if (scope.effect === 'leave-alone') return { observation: { ...base, role: { kind: 'not-read', reason: scope.reason } }, route };
  if (!scope.inScope && !config.role.deleteOnOffboard) {
    return { observation: { ...base, role: { kind: 'not-read', reason: 'out of scope and role.deleteOnOffboard is off' } }, route };
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
    return { observation: { ...base, role }, route };
  }
  return { observation: { ...base, role: await readRole(access.iam, config.role.name) }, iam: access.iam, route };
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
