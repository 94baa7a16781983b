/** OrganizationsReader against a mocked Organizations client: which calls one account costs, and what its ARN tells. */
import {
  AccountNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { OrganizationsReader, organizationFactsOfAccountArn } from './organizations';

const MANAGEMENT = '999999999999';
const MEMBER = '123456789012';
const ORG_ID = 'o-ourorg1234';
const ROOT = 'r-ab12';
const OU = 'ou-ab12-11111111';
const memberArn = (partition = 'aws', account = MEMBER) => `arn:${partition}:organizations::${MANAGEMENT}:account/${ORG_ID}/${account}`;

const organizations = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });

beforeEach(() => {
  organizations.reset();
  organizations.on(DescribeOrganizationCommand).resolves({
    Organization: { Id: ORG_ID, MasterAccountId: MANAGEMENT, MasterAccountArn: `arn:aws:organizations::${MANAGEMENT}:account/${ORG_ID}/${MANAGEMENT}` },
  });
  organizations.on(ListParentsCommand, { ChildId: MEMBER }).resolves({ Parents: [{ Id: OU, Type: 'ORGANIZATIONAL_UNIT' }] });
  organizations.on(ListParentsCommand, { ChildId: OU }).resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
  organizations.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'team', Value: 'payments' }] });
});

const describes = (account: Record<string, unknown>) => organizations.on(DescribeAccountCommand).resolves({ Account: { Id: MEMBER, Name: 'payments', State: 'ACTIVE', ...account } });

describe('organizationFactsOfAccountArn', () => {
  it.each<[string, string | undefined, string | undefined, ReturnType<typeof organizationFactsOfAccountArn>]>([
    ['a commercial account', memberArn(), MEMBER, { organizationId: ORG_ID, managementAccountId: MANAGEMENT, partition: 'aws' }],
    ['a GovCloud account', memberArn('aws-us-gov'), MEMBER, { organizationId: ORG_ID, managementAccountId: MANAGEMENT, partition: 'aws-us-gov' }],
    ['a China account', memberArn('aws-cn'), MEMBER, { organizationId: ORG_ID, managementAccountId: MANAGEMENT, partition: 'aws-cn' }],
    ['the ARN of another account', memberArn('aws', '210987654321'), MEMBER, undefined],
    ['a partition we do not know', memberArn('aws-xx'), MEMBER, undefined],
    ['an organization ID too short', `arn:aws:organizations::${MANAGEMENT}:account/o-abc/${MEMBER}`, MEMBER, undefined],
    ['an OU ARN', `arn:aws:organizations::${MANAGEMENT}:ou/${ORG_ID}/${OU}`, MEMBER, undefined],
    ['no ARN', undefined, MEMBER, undefined],
    ['no account ID', memberArn(), undefined, undefined],
  ])('%s', (_name, arn, accountId, expected) => {
    expect(organizationFactsOfAccountArn(arn, accountId)).toEqual(expected);
  });
});

describe('OrganizationsReader.account', () => {
  it("reads the organization's facts from the account's ARN: no DescribeOrganization, then or later", async () => {
    describes({ Arn: memberArn() });
    const reader = new OrganizationsReader(client);
    await expect(reader.account(MEMBER)).resolves.toMatchObject({ state: 'ACTIVE', parentPath: [ROOT, OU], tags: { team: 'payments' }, isManagementAccount: false });
    await expect(reader.organization()).resolves.toEqual({ organizationId: ORG_ID, managementAccountId: MANAGEMENT, partition: 'aws' });
    expect(organizations.commandCalls(DescribeOrganizationCommand)).toHaveLength(0);
  });

  it("asks DescribeOrganization, once, when the account's ARN does not tell", async () => {
    describes({ Arn: 'arn:aws:organizations::999999999999:account/unexpected' });
    const reader = new OrganizationsReader(client);
    await reader.account(MEMBER);
    await reader.account(MEMBER);
    expect(organizations.commandCalls(DescribeOrganizationCommand)).toHaveLength(1);
    await expect(reader.organization()).resolves.toMatchObject({ organizationId: ORG_ID });
  });

  it('keeps facts already read rather than what an ARN tells', async () => {
    describes({ Arn: memberArn('aws-cn') });
    const reader = new OrganizationsReader(client);
    await reader.organization();
    await reader.account(MEMBER);
    await expect(reader.organization()).resolves.toMatchObject({ partition: 'aws' });
  });

  it('tells the management account by the ARN', async () => {
    organizations.on(DescribeAccountCommand).resolves({ Account: { Id: MANAGEMENT, State: 'ACTIVE', Arn: `arn:aws:organizations::${MANAGEMENT}:account/${ORG_ID}/${MANAGEMENT}` } });
    organizations.on(ListParentsCommand, { ChildId: MANAGEMENT }).resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
    const reader = new OrganizationsReader(client);
    await expect(reader.account(MANAGEMENT, { readTags: false })).resolves.toMatchObject({ isManagementAccount: true, parentPath: [ROOT], tags: {} });
    expect(organizations.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    expect(organizations.commandCalls(DescribeOrganizationCommand)).toHaveLength(0);
  });

  it('answers NOT_IN_ORGANIZATION for an account Organizations does not know, without reading its path', async () => {
    organizations.on(DescribeAccountCommand).rejects(new AccountNotFoundException({ message: 'not found', $metadata: {} }));
    const reader = new OrganizationsReader(client);
    await expect(reader.account(MEMBER)).resolves.toEqual({ accountId: MEMBER, state: 'NOT_IN_ORGANIZATION', parentPath: [], tags: {}, isManagementAccount: false });
    expect(organizations.commandCalls(ListParentsCommand)).toHaveLength(0);
  });
});

describe('OrganizationsReader.read', () => {
  it('describes the account before its OU path is read', async () => {
    describes({ Arn: memberArn() });
    let releasePath!: () => void;
    const pathHeld = new Promise<void>((resolve) => (releasePath = resolve));
    organizations.on(ListParentsCommand, { ChildId: MEMBER }).callsFake(async () => {
      await pathHeld;
      return { Parents: [{ Id: ROOT, Type: 'ROOT' }] };
    });
    const reading = new OrganizationsReader(client).read(MEMBER, { readTags: false });
    await expect(reading.described).resolves.toMatchObject({ state: 'ACTIVE', name: 'payments', parentPath: [] });
    releasePath();
    await expect(reading.complete).resolves.toMatchObject({ state: 'ACTIVE', name: 'payments', parentPath: [ROOT] });
  });

  it('fails both stages with the same error when DescribeAccount fails', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    organizations.on(DescribeAccountCommand).rejects(throttled);
    const reading = new OrganizationsReader(client).read(MEMBER);
    await expect(reading.described).rejects.toThrow('Rate exceeded');
    await expect(reading.complete).rejects.toThrow('Rate exceeded');
  });
});
