/**
 * convergeAccount decides by the error's type: a transient failure is "retry later" (the worker
 * retries it, the CLI exits 75, no AccountFailed), a refusal or a configuration error "error".
 */
import { convergeAccount, type ConvergeOptions } from './converge';
import { parseConfig } from './config/schema';
import { V1_CAPABILITIES } from './datadog/capabilities';
import { DatadogApiError, type DatadogErrorKind } from './datadog/errors';
import type { AwsIntegrationPort } from './datadog/port';
import { datadogTargets } from './datadog/targets';
import { InputError } from './domain/errors';
import type { MemberAccess } from './observe/member-access';
import type { OrganizationsReader } from './observe/organizations';

const ACCOUNT = '123456789012';
const config = parseConfig({ datadog: { apiVersion: 'v1' } });

function failingListing(error: unknown): ConvergeOptions['deps'] {
  const refuse = () => Promise.reject(error);
  const datadog: AwsIntegrationPort = {
    apiVersion: 'v1',
    capabilities: V1_CAPABILITIES,
    listIntegrations: refuse,
    createIntegration: refuse,
    updateIntegration: refuse,
    deleteIntegration: refuse,
    rotateExternalId: refuse,
    mintExternalId: refuse,
    listNamespaces: refuse,
  };
  return {
    datadog,
    organizations: {} as OrganizationsReader,
    memberAccess: {} as MemberAccess,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
}

const known = {
  partition: 'aws' as const,
  organizationId: 'o-ourorg1234',
  organization: { accountId: ACCOUNT, state: 'ACTIVE' as const, parentPath: ['r-ab12'], tags: {}, isManagementAccount: false },
};

const apiError = (kind: DatadogErrorKind, status?: number) => new DatadogApiError('ListAWSAccounts', kind, status, [], `ListAWSAccounts failed: ${kind}`);

describe('convergeAccount: the status follows whether the error is retryable', () => {
  it.each<[string, unknown, 'retry' | 'error']>([
    ["Datadog's 5xx after the client's retries", apiError('server', 503), 'retry'],
    ['Datadog rate-limited', apiError('rate-limited', 429), 'retry'],
    ['Datadog timed out', apiError('timeout'), 'retry'],
    ['AWS throttled', Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }), 'retry'],
    ['Datadog refused the keys', apiError('forbidden', 403), 'error'],
    ['Datadog refused the request', apiError('bad-request', 400), 'error'],
    ['a configuration error', new InputError('datadog.site: bad'), 'error'],
    ['AWS refused the request', Object.assign(new Error('not authorized'), { name: 'AccessDenied', $fault: 'client' }), 'error'],
  ])('%s: %s', async (_name, error, status) => {
    const result = await convergeAccount(ACCOUNT, { config, deps: failingListing(error), dryRun: false, known });
    expect(result).toMatchObject({ accountId: ACCOUNT, status, error: (error as Error).message });
  });
});

describe("convergeAccount: Datadog's permission lists", () => {
  it('are asked for while the account is observed, not after', async () => {
    let listsAsked = false;
    let askedBeforeListingAnswered: boolean | undefined;
    const deps = failingListing(new Error('unused'));
    const listed: ConvergeOptions['deps'] = {
      ...deps,
      datadog: {
        ...deps.datadog,
        listIntegrations: async () => {
          for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
          askedBeforeListingAnswered = listsAsked;
          return [];
        },
      },
      memberAccess: { iamIn: async () => ({ kind: 'denied', code: 'AccessDenied', message: 'denied' }) } as unknown as MemberAccess,
      permissions: async () => {
        listsAsked = true;
        return { standard: ['ec2:Describe*'], resourceCollection: [], source: 'datadog' };
      },
    };
    await convergeAccount(ACCOUNT, { config, deps: listed, dryRun: true, known });
    expect(askedBeforeListingAnswered).toBe(true);
  });
});

describe('convergeAccount with profiles: a failure names the profile and target of the account', () => {
  const ASIA_OU = 'ou-ab12-cdef3456';
  const routed = parseConfig({
    datadog: { apiVersion: 'v1' },
    profiles: [{ name: 'asia', match: { ous: [ASIA_OU] }, datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'datadog/ap1-keys' } }],
  });

  it('its own target cannot be listed (down): retry, with profile and target, so the operator knows which Datadog organization failed', async () => {
    const failing = failingListing(apiError('server', 503));
    const healthy: AwsIntegrationPort = { ...failing.datadog, listIntegrations: () => Promise.resolve([]) };
    const deps = { ...failing, datadog: healthy, targets: datadogTargets(new Map([['datadoghq.com', healthy], ['ap1.datadoghq.com', failing.datadog]])) };
    const inAsia = { ...known, organization: { ...known.organization, parentPath: ['r-ab12', ASIA_OU] } };
    const result = await convergeAccount(ACCOUNT, { config: routed, deps, dryRun: false, known: inAsia });
    expect(result).toMatchObject({ accountId: ACCOUNT, status: 'retry', profile: 'asia', target: 'ap1.datadoghq.com' });
  });
});
