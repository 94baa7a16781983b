/**
 * observeAccount with several Datadog targets: every target is listed for the account alongside
 * the Organizations reads; the route (profile, target) follows the account's OU; the other
 * targets' integrations are `elsewhere`, a failed listing of another target `unlisted`.
 */
import { parseConfig } from '../config/schema';
import { capabilitiesOf } from '../datadog/capabilities';
import type { AwsIntegrationPort, Integration } from '../datadog/port';
import { datadogTargets } from '../datadog/targets';
import type { MemberAccess } from './member-access';
import { observeAccount } from './observe-account';
import type { OrganizationsReader } from './organizations';

const ACCOUNT = '123456789012';
const OU_EU = 'ou-ab12-55555555';
const config = parseConfig({
  datadog: { apiVersion: 'v2' },
  scope: { excludeAccounts: [ACCOUNT] }, // no role is read: this suite is about Datadog's side
  profiles: [{ name: 'eu', match: { ous: [OU_EU] }, datadog: { site: 'datadoghq.eu', credentialsSecretId: 'datadog/eu-keys' } }],
});
const integration = (roleName: string): Integration => ({
  accountId: ACCOUNT,
  auth: { kind: 'role', roleName },
  settings: { hostTags: [], filterTags: [], excludedRegions: [], namespaceRules: {}, metricsCollection: true, cspmResourceCollection: false, extendedResourceCollection: false },
});

function port(listing: () => Promise<Integration[]>, calls: string[], name: string): AwsIntegrationPort {
  const refuse = () => Promise.reject(new Error('not in this test'));
  return {
    apiVersion: 'v2',
    capabilities: capabilitiesOf('v2'),
    listIntegrations: (filter) => {
      calls.push(`${name} ${filter?.accountId}`);
      return listing();
    },
    createIntegration: refuse,
    updateIntegration: refuse,
    deleteIntegration: refuse,
    rotateExternalId: refuse,
    mintExternalId: refuse,
    listNamespaces: refuse,
  };
}

function deps(us: () => Promise<Integration[]>, eu: () => Promise<Integration[]>, parentPath: string[]) {
  const calls: string[] = [];
  const ports = new Map([
    ['datadoghq.com', port(us, calls, 'datadoghq.com')],
    ['datadoghq.eu', port(eu, calls, 'datadoghq.eu')],
  ]);
  const described = { accountId: ACCOUNT, state: 'ACTIVE' as const, parentPath: [], tags: {}, isManagementAccount: false };
  const organizations = {
    organization: async () => ({ organizationId: 'o-ourorg1234', managementAccountId: '999999999999', partition: 'aws' as const }),
    read: () => ({ described: Promise.resolve(described), complete: Promise.resolve({ ...described, parentPath }) }),
  } as unknown as OrganizationsReader;
  return {
    calls,
    deps: { datadog: ports.get('datadoghq.com')!, targets: datadogTargets(ports), organizations, memberAccess: {} as MemberAccess, now: () => new Date() },
  };
}

describe('observeAccount over several Datadog targets', () => {
  it('routes by the OU: own target integrations, the other target elsewhere; both listed once', async () => {
    const { deps: d, calls } = deps(async () => [integration('DatadogIntegrationRole')], async () => [], ['r-ab12', OU_EU]);
    const { observation, route } = await observeAccount(ACCOUNT, config, d);
    expect(route.profile).toBe('eu');
    expect(observation.route).toEqual({ profile: 'eu', target: 'datadoghq.eu' });
    expect(observation.integrations).toEqual([]);
    expect(observation.elsewhere).toEqual([{ target: 'datadoghq.com', integrations: [integration('DatadogIntegrationRole')] }]);
    expect(calls.sort()).toEqual([`datadoghq.com ${ACCOUNT}`, `datadoghq.eu ${ACCOUNT}`]);
  });

  it("another target's failed listing is noted as unlisted; the account's own target decides", async () => {
    const { deps: d } = deps(async () => [], () => Promise.reject(new Error('Datadog answered 403 Forbidden')), ['r-ab12']);
    const { observation } = await observeAccount(ACCOUNT, config, d);
    expect(observation.route).toEqual({ target: 'datadoghq.com' });
    expect(observation.unlisted).toEqual([{ target: 'datadoghq.eu', reason: 'Datadog answered 403 Forbidden' }]);
  });

  it("the account's own target failing fails the observation (the account is retried)", async () => {
    const { deps: d } = deps(async () => [], () => Promise.reject(new Error('Datadog answered 503')), ['r-ab12', OU_EU]);
    await expect(observeAccount(ACCOUNT, config, d)).rejects.toThrow('Datadog answered 503');
  });

  it("what the reconciler listed is not listed again (the facts' own and other targets)", async () => {
    const { deps: d, calls } = deps(async () => [], async () => [], ['r-ab12', OU_EU]);
    const organization = { accountId: ACCOUNT, state: 'ACTIVE' as const, parentPath: ['r-ab12', OU_EU], tags: {}, isManagementAccount: false };
    const { observation } = await observeAccount(ACCOUNT, config, d, {
      partition: 'aws',
      organizationId: 'o-ourorg1234',
      organization,
      integrations: [],
      elsewhere: { 'datadoghq.com': [integration('DatadogIntegrationRole')] },
    });
    expect(calls).toEqual([]);
    expect(observation.elsewhere).toEqual([{ target: 'datadoghq.com', integrations: [integration('DatadogIntegrationRole')] }]);
  });
});
