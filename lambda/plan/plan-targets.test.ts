/**
 * planTargets: the organization over several Datadog targets, pure. Each account is planned with
 * its profile against its own target's listing; a target that could not be listed blocks only
 * its own accounts and deletions; the deletion guard counts every target's deletions.
 */
import { capabilitiesOf } from '../datadog/capabilities';
import type { Integration } from '../datadog/port';
import type { OrgAccount } from '../observe/model';
import type { OrganizationSnapshot } from '../observe/organization-walk';
import { routingOf } from '../config/profiles';
import { planTargets, type TargetListing } from './plan-organization';
import { MANAGEMENT_ACCOUNT_ID, ORGANIZATION_ID, ROOT_ID, makeConfig, orgAccount, ourIntegration } from '../../test/support/plan-fixtures';

const OU_EU = 'ou-ab12-55555555';
const OU_OTHER = 'ou-ab12-66666666';
const US1 = 'datadoghq.com';
const EU = 'datadoghq.eu';
const NO_GUARD = { maxDeletions: 10_000, maxDeletionsPercent: 100 };
const id = (n: number) => String(100000000000 + n);

describe.each(['v1', 'v2'] as const)('planTargets (%s)', (apiVersion) => {
  const config = makeConfig({
    datadog: { apiVersion },
    profiles: [
      { name: 'eu', match: { ous: [OU_EU] }, datadog: { site: EU, credentialsSecretId: 'datadog/eu-keys' }, integration: { metricsCollection: false } },
      { name: 'nobody', match: { ous: ['ou-ab12-77777777'] } },
    ],
  });
  const routing = routingOf(config);
  const capabilities = capabilitiesOf(apiVersion);
  const account = (n: number, ou: string): OrgAccount => orgAccount({ accountId: id(n), parentPath: [ROOT_ID, ou], name: `account ${n}` });
  const snapshot = (accounts: OrgAccount[]): OrganizationSnapshot => ({
    organizationId: ORGANIZATION_ID,
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    partition: 'aws',
    accounts: accounts.map((a) => ({ ...a })),
    tagsRead: new Set(),
  });
  /** Ours in the account's target (its ID told where the API reads it back); `tag` tells two targets' IDs apart. */
  const oursFor = (a: OrgAccount, tag = routing.routeOf(a).target.name): Integration =>
    ourIntegration(routing.routeOf(a).config, a, capabilities.readsExternalIdBack ? { externalId: `ext-${tag}-${a.accountId}` } : {});
  const listing = (target: string, integrations: Integration[]): TargetListing => ({ target, capabilities, integrations });

  const inEu = account(1, OU_EU);
  const inUs = account(2, OU_OTHER);
  const movedToUs = account(3, OU_OTHER);

  it('each account against its own target: in sync where it is, a moved one created in the new target and removed from the old', () => {
    const movedWasEu = { ...movedToUs, parentPath: [ROOT_ID, OU_EU] };
    const plan = planTargets(
      snapshot([inEu, inUs, movedToUs]),
      [listing(US1, [oursFor(inUs)]), listing(EU, [oursFor(inEu), oursFor(movedWasEu)])],
      config,
      NO_GUARD,
    );
    const byAccount = new Map(plan.plans.map((p) => [p.accountId, p]));
    expect(byAccount.get(inEu.accountId)).toMatchObject({ profile: 'eu', target: EU, actions: [{ type: 'none' }] });
    expect(byAccount.get(inUs.accountId)).toMatchObject({ target: US1, actions: [{ type: 'none' }] });
    expect(byAccount.get(inUs.accountId)!.profile).toBeUndefined();
    const moved = byAccount.get(movedToUs.accountId)!;
    expect(moved.target).toBe(US1);
    expect(moved.actions.map((a) => [a.type, a.target])).toEqual([
      ['create-integration', undefined],
      ['create-role', undefined],
      ['delete-integration', EU],
    ]);
    expect(plan.guard.deletions).toBe(1);
    expect(plan.targets).toEqual([
      { target: US1, profiles: ['nobody'], accounts: 2 },
      { target: EU, profiles: ['eu'], accounts: 1 },
    ]);
    expect(plan.unmatchedProfiles).toEqual(['nobody']);
    expect(plan.moves).toBe(1);
  });

  it('the deletion guard tripped: a move is held whole (the account keeps working where it is), as plan, apply and the reconcile all see it', () => {
    const movedWasEu = { ...movedToUs, parentPath: [ROOT_ID, OU_EU] };
    const plan = planTargets(snapshot([inEu, inUs, movedToUs]), [listing(US1, [oursFor(inUs)]), listing(EU, [oursFor(inEu), oursFor(movedWasEu)])], config, {
      maxDeletions: 0,
    });
    const moved = plan.plans.find((p) => p.accountId === movedToUs.accountId)!;
    expect(plan.guard.tripped).toBe(true);
    expect(moved.actions).toEqual([{ type: 'none', reason: expect.stringMatching(/^move held: the deletion guard allows 0 deletions/) }]);
    expect(moved.held?.map((a) => [a.type, a.target])).toEqual([
      ['create-integration', undefined],
      ['create-role', undefined],
      ['delete-integration', EU],
    ]);
    expect(plan.moves).toBe(1);
  });

  it('a target whose listing failed: its accounts are blocked (retried), nothing in it is deleted; the other target goes ahead', () => {
    const gone = account(9, OU_OTHER);
    const plan = planTargets(
      snapshot([inEu, inUs]),
      [listing(US1, [oursFor(gone)]), { target: EU, capabilities, failure: 'Datadog answered 403 Forbidden' }],
      config,
      NO_GUARD,
    );
    const byAccount = new Map(plan.plans.map((p) => [p.accountId, p]));
    expect(byAccount.get(inEu.accountId)!.blocked).toEqual({ reason: expect.stringMatching(/Datadog target datadoghq\.eu could not be listed \(Datadog answered 403 Forbidden\): retry later/), retryable: true });
    expect(byAccount.get(inUs.accountId)!.actions.map((a) => a.type)).toContain('create-integration');
    // The gone account's integration in the listed target is still removed (our marker).
    expect(byAccount.get(gone.accountId)!.actions.map((a) => [a.type, a.target])).toEqual([['delete-integration', undefined]]);
    expect(plan.targets.find((t) => t.target === EU)).toMatchObject({ failure: 'Datadog answered 403 Forbidden' });
  });

  it('a gone account with ours in both targets: deleted in both; the guard counts it once per account, across targets', () => {
    const gone = account(8, OU_EU);
    const plan = planTargets(snapshot([inUs]), [listing(US1, [oursFor(inUs), oursFor({ ...gone, parentPath: [] })]), listing(EU, [oursFor(gone)])], config, {
      maxDeletions: 0,
    });
    const gonePlan = plan.plans.find((p) => p.accountId === gone.accountId)!;
    expect(plan.guard).toMatchObject({ tripped: true, deletions: 1 });
    expect(gonePlan.held?.map((a) => [a.type, a.target])).toEqual([
      ['delete-integration', undefined],
      ['delete-integration', EU],
    ]);
  });

  it('without profiles reporting elsewhere, one listing is the whole organization', () => {
    const single = makeConfig({ datadog: { apiVersion } });
    const plan = planTargets(snapshot([inUs]), [listing(US1, [ourIntegration(single, inUs, capabilities.readsExternalIdBack ? { externalId: 'x' } : {})])], single, NO_GUARD);
    expect(plan.targets).toEqual([{ target: US1, profiles: [], accounts: 1 }]);
    expect(plan.unmatchedProfiles).toEqual([]);
  });
});
