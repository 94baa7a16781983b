/**
 * observeAccount against mocked Organizations, STS and IAM: when the member account is first
 * touched. The role is read alongside the OU path only where the scope does not look at OUs;
 * where it does, never before the path is read, and never in an excluded account.
 */
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { DescribeAccountCommand, DescribeOrganizationCommand, ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { V1_CAPABILITIES } from '../datadog/capabilities';
import type { AwsIntegrationPort } from '../datadog/port';
import { ACCOUNT_ID, MANAGEMENT_ACCOUNT_ID, ORGANIZATION_ID, OU_PROD, OU_SANDBOX, OU_WORKLOADS, ROOT_ID, makeConfig } from '../../test/support/plan-fixtures';
import { MemberAccess } from './member-access';
import { observeAccount, observeAccountInStages, scopeLooksAtOus, type ObserveDependencies } from './observe-account';
import { OrganizationsReader } from './organizations';

const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
const organizationsMock = mockClient(OrganizationsClient);
const stsMock = mockClient(STSClient);
const iamMock = mockClient(IAMClient);

/** The order calls reached the services, and the OU path held until released. */
let calls: string[];
let releasePath: () => void;

const PATH_UP: Record<string, { Id: string; Type: 'ROOT' | 'ORGANIZATIONAL_UNIT' }> = {
  [ACCOUNT_ID]: { Id: OU_PROD, Type: 'ORGANIZATIONAL_UNIT' },
  [OU_PROD]: { Id: OU_WORKLOADS, Type: 'ORGANIZATIONAL_UNIT' },
  [OU_WORKLOADS]: { Id: ROOT_ID, Type: 'ROOT' },
};

beforeEach(() => {
  calls = [];
  const pathHeld = new Promise<void>((resolve) => (releasePath = resolve));
  for (const mock of [organizationsMock, stsMock, iamMock]) mock.reset();
  organizationsMock.on(DescribeAccountCommand).callsFake(() => {
    calls.push('DescribeAccount');
    return { Account: { Id: ACCOUNT_ID, State: 'ACTIVE', Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT_ID}:account/${ORGANIZATION_ID}/${ACCOUNT_ID}` } };
  });
  organizationsMock.on(ListParentsCommand).callsFake(async (input: { ChildId: string }) => {
    await pathHeld;
    calls.push('ListParents');
    return { Parents: [PATH_UP[input.ChildId]] };
  });
  stsMock.on(AssumeRoleCommand).callsFake(() => {
    calls.push('AssumeRole');
    return { Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-12-01T01:00:00Z') } };
  });
  iamMock.on(GetRoleCommand).callsFake(() => {
    calls.push('GetRole');
    throw new NoSuchEntityException({ message: 'no role', $metadata: {} });
  });
});

function deps(): ObserveDependencies {
  const none = () => Promise.reject(new Error('not called in these tests'));
  const datadog: AwsIntegrationPort = {
    apiVersion: 'v1',
    capabilities: V1_CAPABILITIES,
    listIntegrations: () => Promise.resolve([]),
    createIntegration: none,
    updateIntegration: none,
    deleteIntegration: none,
    rotateExternalId: none,
    mintExternalId: none,
    listNamespaces: none,
  };
  return {
    organizations: new OrganizationsReader(new OrganizationsClient({ region: 'us-east-1', credentials })),
    datadog,
    memberAccess: new MemberAccess(new STSClient({ region: 'us-east-1', credentials }), (c) => new IAMClient({ region: 'us-east-1', credentials: c })),
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
}

/** Lets every promise chain started so far run as far as it can. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('scopeLooksAtOus', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['the defaults', {}, false],
    ['excluded accounts and an opt-out tag', { excludeAccounts: ['210987654321'], optOutTag: { key: 'datadog', value: 'off' } }, false],
    ['excluded OUs', { excludeOus: [OU_SANDBOX] }, true],
    ['included OUs', { includeOus: [OU_WORKLOADS] }, true],
  ])('%s: %s', (_name, scope, expected) => {
    expect(scopeLooksAtOus(makeConfig({ datadog: { apiVersion: 'v1' }, scope }).scope)).toBe(expected);
  });
});

describe('observeAccount without an org-wide walk', () => {
  it('reads the role while the OU path is read when the scope does not look at OUs, and sends no DescribeOrganization', async () => {
    const observed = observeAccount(ACCOUNT_ID, makeConfig({ datadog: { apiVersion: 'v1' } }), deps());
    await settle();
    expect(calls).toEqual(['DescribeAccount', 'AssumeRole', 'GetRole']);
    releasePath();
    const { observation } = await observed;
    expect(observation).toMatchObject({ organizationId: ORGANIZATION_ID, partition: 'aws', organization: { parentPath: [ROOT_ID, OU_WORKLOADS, OU_PROD] }, role: { kind: 'absent' } });
    expect(organizationsMock.commandCalls(DescribeOrganizationCommand)).toHaveLength(0);
  });

  it('assumes no role before the OU path is read when the scope looks at OUs', async () => {
    const observed = observeAccount(ACCOUNT_ID, makeConfig({ datadog: { apiVersion: 'v1' }, scope: { excludeOus: [OU_SANDBOX] } }), deps());
    await settle();
    expect(calls).toEqual(['DescribeAccount']);
    releasePath();
    const { observation } = await observed;
    expect(calls).toEqual(['DescribeAccount', 'ListParents', 'ListParents', 'ListParents', 'AssumeRole', 'GetRole']);
    expect(observation.role).toEqual({ kind: 'absent' });
  });

  it('never touches an account under an excluded OU', async () => {
    const observed = observeAccount(ACCOUNT_ID, makeConfig({ datadog: { apiVersion: 'v1' }, scope: { excludeOus: [OU_WORKLOADS] } }), deps());
    releasePath();
    const { observation, iam } = await observed;
    expect(observation.role).toMatchObject({ kind: 'not-read' });
    expect(iam).toBeUndefined();
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('observeAccount with the facts of an org-wide walk', () => {
  it('reads the role at once, without Organizations', async () => {
    const known = {
      partition: 'aws' as const,
      organizationId: ORGANIZATION_ID,
      organization: { accountId: ACCOUNT_ID, state: 'ACTIVE' as const, parentPath: [ROOT_ID, OU_WORKLOADS], tags: {}, isManagementAccount: false },
    };
    const { observation } = await observeAccount(ACCOUNT_ID, makeConfig({ datadog: { apiVersion: 'v1' }, scope: { excludeOus: [OU_SANDBOX] } }), deps(), known);
    expect(calls).toEqual(['AssumeRole', 'GetRole']);
    expect(observation).toMatchObject({ organizationId: ORGANIZATION_ID, organization: known.organization, role: { kind: 'absent' } });
  });
});

describe('observeAccountInStages', () => {
  it('decides (scope, listing, role) before the OU path is read where the scope does not look at OUs', async () => {
    const { decided, observed } = observeAccountInStages(ACCOUNT_ID, makeConfig({ datadog: { apiVersion: 'v1' } }), deps());
    await expect(decided).resolves.toEqual({ inScope: true, integrations: [], role: { kind: 'absent' }, route: expect.objectContaining({ target: expect.objectContaining({ isDefault: true }) }) });
    expect(calls).not.toContain('ListParents');
    releasePath();
    await expect(observed).resolves.toMatchObject({ observation: { organization: { parentPath: [ROOT_ID, OU_WORKLOADS, OU_PROD] } } });
  });

  it('decides out of scope for an account under an excluded OU, without touching it', async () => {
    const { decided } = observeAccountInStages(ACCOUNT_ID, makeConfig({ datadog: { apiVersion: 'v1' }, scope: { excludeOus: [OU_PROD] } }), deps());
    releasePath();
    await expect(decided).resolves.toMatchObject({ inScope: false, role: { kind: 'not-read' } });
    expect(calls).not.toContain('AssumeRole');
  });
});
