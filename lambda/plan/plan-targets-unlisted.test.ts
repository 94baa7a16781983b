/**
 * planTargets over two Datadog targets, one of which could not be listed: pure, hand-built
 * snapshot and listings. An account whose own target is unlisted is blocked (to retry) when the
 * plan needs that listing; an account out of scope with nothing to do is not held up by it.
 */
import { capabilitiesOf } from '../datadog/capabilities';
import type { OrgAccount } from '../observe/model';
import type { OrganizationSnapshot } from '../observe/organization-walk';
import { routingOf } from '../config/profiles';
import { planTargets, workKind } from './plan-organization';
import { MANAGEMENT_ACCOUNT_ID, ORGANIZATION_ID, OU_PROD, OU_WORKLOADS, ROOT_ID, makeConfig } from '../../test/support/plan-fixtures';

const config = makeConfig({
  datadog: { apiVersion: 'v2' },
  scope: { excludeAccounts: ['100000000003'] },
  profiles: [{ name: 'prod', match: { ous: [OU_PROD] }, datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'datadog/ap1-keys' } }],
});
const routing = routingOf(config);
const DEFAULT = routing.defaultTarget.name;
const AP1 = 'ap1.datadoghq.com';

const account = (accountId: string, overrides: Partial<OrgAccount> = {}): OrgAccount => ({
  accountId,
  state: 'ACTIVE',
  name: accountId,
  parentPath: [ROOT_ID, OU_WORKLOADS],
  tags: {},
  isManagementAccount: false,
  ...overrides,
});

const management = account(MANAGEMENT_ACCOUNT_ID, { parentPath: [ROOT_ID], isManagementAccount: true });
const inScope = account('100000000001');
const inProd = account('100000000002', { parentPath: [ROOT_ID, OU_WORKLOADS, OU_PROD] });
const excluded = account('100000000003');
const snapshot: OrganizationSnapshot = {
  organizationId: ORGANIZATION_ID,
  managementAccountId: MANAGEMENT_ACCOUNT_ID,
  partition: 'aws',
  accounts: [management, inScope, inProd, excluded],
  tagsRead: new Set(),
};
const capabilities = capabilitiesOf('v2');

describe('planTargets: the default target unlisted, the other listed', () => {
  const plan = planTargets(
    snapshot,
    [
      { target: DEFAULT, capabilities, failure: 'ListAWSAccounts failed: Datadog answered 403 Forbidden' },
      { target: AP1, capabilities, integrations: [] },
    ],
    config,
    { maxDeletions: 10, maxDeletionsPercent: 100 },
  );
  const of = (accountId: string) => plan.plans.find((p) => p.accountId === accountId)!;

  it.each([
    ['an account in scope reporting to the unlisted target: blocked, to retry', inScope.accountId, 'repair', true],
    ['the management account (out of scope, nothing to do): not blocked', MANAGEMENT_ACCOUNT_ID, 'in-sync', false],
    ['an excluded account left alone: not blocked', excluded.accountId, 'in-sync', false],
    ['an account of the listed target: planned', inProd.accountId, 'create', false],
  ])('%s', (_, accountId, kind, blocked) => {
    expect(workKind(of(accountId))).toBe(kind);
    expect(of(accountId).blocked !== undefined).toBe(blocked);
  });

  it('the unlisted target is reported with its accounts; the summary counts only the blocked one as a repair', () => {
    expect(plan.targets).toEqual([
      { target: DEFAULT, profiles: [], accounts: 3, failure: 'ListAWSAccounts failed: Datadog answered 403 Forbidden' },
      { target: AP1, profiles: ['prod'], accounts: 1 },
    ]);
    expect(plan.summary).toEqual({ accounts: 4, inSync: 2, toCreate: 1, toRepair: 1, toDelete: 0 });
    expect(of(inScope.accountId).blocked).toEqual({ reason: expect.stringMatching(/^Datadog target datadoghq\.com could not be listed \(.*403.*\): retry later$/), retryable: true });
  });
});
