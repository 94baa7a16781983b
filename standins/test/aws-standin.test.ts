import {
  AccessDeniedException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  InvalidInputException as OrgInvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationalUnitNotFoundException,
  OrganizationsClient,
  OrganizationsServiceException,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  ParentNotFoundException,
  TargetNotFoundException,
  TooManyRequestsException,
  type Account,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  RegionDisabledException,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  InvalidInputException as IamInvalidInputException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  paginateListRolePolicies,
  PutRolePolicyCommand,
  ServiceFailureException,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  FakeAwsOrganization,
  startAwsStandin,
  type AwsStandin,
  type FakeAwsOrganizationOptions,
} from '../aws';

const DATADOG_ACCOUNT = '464622532012';
const MANAGEMENT_KEY = { accessKeyId: 'AKIDMANAGEMENT', secretAccessKey: 'x' };

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const running: AwsStandin[] = [];
const clientsToClose: { destroy(): void }[] = [];

afterEach(async () => {
  for (const client of clientsToClose.splice(0)) client.destroy();
  await Promise.all(running.splice(0).map((standin) => standin.stop()));
});

async function setup(options: FakeAwsOrganizationOptions = {}): Promise<{ model: FakeAwsOrganization; standin: AwsStandin }> {
  const model = new FakeAwsOrganization({ managementAccountId: '111111111111', ...options });
  const standin = await startAwsStandin(model);
  running.push(standin);
  return { model, standin };
}

function config(standin: AwsStandin, credentials: Credentials = MANAGEMENT_KEY, maxAttempts = 1) {
  return { region: 'us-east-1', endpoint: standin.url, credentials, maxAttempts };
}

function organizations(standin: AwsStandin, credentials?: Credentials, maxAttempts?: number): OrganizationsClient {
  const client = new OrganizationsClient(config(standin, credentials, maxAttempts));
  clientsToClose.push(client);
  return client;
}

function sts(standin: AwsStandin, credentials?: Credentials, maxAttempts?: number): STSClient {
  const client = new STSClient(config(standin, credentials, maxAttempts));
  clientsToClose.push(client);
  return client;
}

function iam(standin: AwsStandin, credentials?: Credentials, maxAttempts?: number): IAMClient {
  const client = new IAMClient(config(standin, credentials, maxAttempts));
  clientsToClose.push(client);
  return client;
}

/** Assumes the member-access role of `accountId` as the management account; returns the session's keys. */
async function assumeInto(standin: AwsStandin, accountId: string, roleName = 'OrganizationAccountAccessRole'): Promise<Credentials> {
  const answer = await sts(standin).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`, RoleSessionName: 'dd-aws-org' }),
  );
  const credentials = answer.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) throw new Error('no credentials');
  return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

function datadogTrust(externalId: string, principal = `arn:aws:iam::${DATADOG_ACCOUNT}:root`): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  });
}

function permissions(actions: string[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
}

/** 50 member accounts: Workloads/{Prod,Dev/Team{1..3}}, Sandbox, and the root. */
function bigOrganization(model: FakeAwsOrganization): { ous: Record<string, string>; members: string[] } {
  const workloads = model.createOu('Workloads');
  const prod = model.createOu('Prod', workloads);
  const dev = model.createOu('Dev', workloads);
  const teams = [1, 2, 3].map((n) => model.createOu(`Team${n}`, dev));
  const sandbox = model.createOu('Sandbox');
  const parents = [model.rootId, workloads, prod, dev, ...teams, sandbox];
  const members: string[] = [];
  for (let i = 0; i < 50; i += 1) {
    members.push(model.createAccount({ name: `account-${i}`, parentId: parents[i % parents.length], tags: { index: String(i) } }));
  }
  return { ous: { workloads, prod, dev, sandbox, team1: teams[0] as string }, members };
}

describe('Organizations', () => {
  it('lists 51 accounts over pages of 20 and walks the nested OU tree with pagination', async () => {
    const { model, standin } = await setup();
    const { members } = bigOrganization(model);
    const client = organizations(standin);

    const pages: Account[][] = [];
    for await (const page of paginateListAccounts({ client }, {})) pages.push(page.Accounts ?? []);
    expect(pages.map((page) => page.length)).toEqual([20, 20, 11]);
    const listed = pages.flat();
    expect(new Set(listed.map((account) => account.Id))).toEqual(new Set(['111111111111', ...members]));
    expect(listed[1]).toMatchObject({ Status: 'ACTIVE', State: 'ACTIVE', JoinedMethod: 'CREATED', Name: 'account-0' });
    expect(listed[1]?.JoinedTimestamp).toBeInstanceOf(Date);
    expect(listed[1]?.Arn).toBe(`arn:aws:organizations::111111111111:account/${model.organizationId}/${members[0]}`);

    const roots = await client.send(new ListRootsCommand({}));
    expect(roots.Roots).toEqual([expect.objectContaining({ Id: model.rootId, Name: 'Root' })]);

    const found: string[] = [];
    const walk = async (parentId: string, depth: number): Promise<void> => {
      for await (const page of paginateListAccountsForParent({ client, pageSize: 3 }, { ParentId: parentId })) {
        expect((page.Accounts ?? []).length).toBeLessThanOrEqual(3);
        found.push(...(page.Accounts ?? []).map((account) => account.Id as string));
      }
      for await (const page of paginateListOrganizationalUnitsForParent({ client, pageSize: 1 }, { ParentId: parentId })) {
        for (const ou of page.OrganizationalUnits ?? []) await walk(ou.Id as string, depth + 1);
      }
    };
    await walk(model.rootId, 0);
    expect(found.sort()).toEqual(['111111111111', ...members].sort());
  });

  it('describes the organization, OUs, parents, children and tags', async () => {
    const { model, standin } = await setup();
    const { ous, members } = bigOrganization(model);
    const client = organizations(standin);

    const org = await client.send(new DescribeOrganizationCommand({}));
    expect(org.Organization).toMatchObject({
      Id: model.organizationId,
      MasterAccountId: '111111111111',
      FeatureSet: 'ALL',
      Arn: `arn:aws:organizations::111111111111:organization/${model.organizationId}`,
    });
    expect(model.organizationId).toMatch(/^o-[a-z0-9]{10}$/);
    expect(ous.team1).toMatch(new RegExp(`^ou-${model.rootId.slice(2)}-[a-z0-9]{8}$`));

    const ou = await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ous.team1 }));
    expect(ou.OrganizationalUnit?.Name).toBe('Team1');
    const parents = await client.send(new ListParentsCommand({ ChildId: ous.team1 }));
    expect(parents.Parents).toEqual([{ Id: ous.dev, Type: 'ORGANIZATIONAL_UNIT' }]);
    const accountParents = await client.send(new ListParentsCommand({ ChildId: members[0] }));
    expect(accountParents.Parents).toEqual([{ Id: model.rootId, Type: 'ROOT' }]);

    const children = await client.send(new ListChildrenCommand({ ParentId: ous.workloads, ChildType: 'ORGANIZATIONAL_UNIT' }));
    expect(children.Children?.map((child) => child.Id).sort()).toEqual([ous.prod, ous.dev].sort());

    model.tagAccount(members[3] as string, { team: 'payments', 'datadog:skip': 'true' });
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceId: members[3] }));
    expect(tags.Tags).toEqual([
      { Key: 'index', Value: '3' },
      { Key: 'team', Value: 'payments' },
      { Key: 'datadog:skip', Value: 'true' },
    ]);
    model.untagAccount(members[3] as string, ['team']);
    const after = await client.send(new ListTagsForResourceCommand({ ResourceId: members[3] }));
    expect(after.Tags?.map((tag) => tag.Key)).toEqual(['index', 'datadog:skip']);

    model.moveAccount(members[3] as string, ous.sandbox as string);
    const moved = await client.send(new ListParentsCommand({ ChildId: members[3] }));
    expect(moved.Parents?.[0]?.Id).toBe(ous.sandbox);
  });

  it('answers AccountNotFoundException for unknown and removed accounts, mapped to the SDK class', async () => {
    const { model, standin } = await setup();
    const gone = model.createAccount({ name: 'leaver' });
    const client = organizations(standin);
    await expect(client.send(new DescribeAccountCommand({ AccountId: gone }))).resolves.toMatchObject({
      Account: { Id: gone, Name: 'leaver' },
    });
    model.removeAccount(gone);

    for (const id of ['999999999999', gone]) {
      const error = await failure(client.send(new DescribeAccountCommand({ AccountId: id })));
      expect(error).toBeInstanceOf(AccountNotFoundException);
      expect(error).toBeInstanceOf(OrganizationsServiceException);
      expect(error.name).toBe('AccountNotFoundException');
      expect(error.message).toBe("You specified an account that doesn't exist.");
    }
    const listed = await client.send(new ListAccountsCommand({}));
    expect(listed.Accounts?.map((account) => account.Id)).toEqual(['111111111111']);
    expect(model.getAccount(gone)?.inOrganization).toBe(false);
  });

  it('maps the other Organizations errors', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'member' });
    const client = organizations(standin);

    expect(await failure(client.send(new ListAccountsForParentCommand({ ParentId: 'ou-abcd-12345678' })))).toBeInstanceOf(
      ParentNotFoundException,
    );
    expect(await failure(client.send(new ListTagsForResourceCommand({ ResourceId: '222222222222' })))).toBeInstanceOf(
      TargetNotFoundException,
    );
    expect(await failure(client.send(new ListParentsCommand({ ChildId: '222222222222' })))).toBeInstanceOf(ChildNotFoundException);
    expect(
      await failure(client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-abcd-12345678' }))),
    ).toBeInstanceOf(OrganizationalUnitNotFoundException);

    const invalid = await failure(client.send(new DescribeAccountCommand({ AccountId: 'not-an-id' })));
    expect(invalid).toBeInstanceOf(OrgInvalidInputException);
    expect((invalid as OrgInvalidInputException).Reason).toBe('INVALID_PATTERN');
    const tooMany = await failure(client.send(new ListAccountsCommand({ MaxResults: 21 })));
    expect((tooMany as OrgInvalidInputException).Reason).toBe('MAX_VALUE_EXCEEDED');
    const badToken = await failure(client.send(new ListAccountsCommand({ NextToken: 'bm9wZQ==' })));
    expect((badToken as OrgInvalidInputException).Reason).toBe('INVALID_NEXT_TOKEN');

    // A member account's session may describe the organization but not list it.
    const session = await assumeInto(standin, member);
    const fromMember = organizations(standin, session);
    await expect(fromMember.send(new DescribeOrganizationCommand({}))).resolves.toBeDefined();
    const denied = await failure(fromMember.send(new ListAccountsCommand({})));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.$metadata?.httpStatusCode).toBe(403);

    // A removed account is standalone: its session sees no organization at all.
    model.removeAccount(member);
    expect(await failure(fromMember.send(new DescribeOrganizationCommand({})))).toBeInstanceOf(AWSOrganizationsNotInUseException);
  });

  it('answers AWSOrganizationsNotInUseException when the account is in no organization', async () => {
    const { standin } = await setup({ organizationsEnabled: false });
    const error = await failure(organizations(standin).send(new ListAccountsCommand({})));
    expect(error).toBeInstanceOf(AWSOrganizationsNotInUseException);
    expect(error.message).toBe('Your account is not a member of an organization.');
  });

  it('shows closure: PENDING_CLOSURE, then CLOSED (legacy Status SUSPENDED); closed accounts cannot be entered', async () => {
    const { model, standin } = await setup();
    const closing = model.createAccount({ name: 'closing' });
    const suspended = model.createAccount({ name: 'suspended' });
    model.closeAccount(closing);
    model.suspendAccount(suspended);
    const client = organizations(standin);
    const pending = await client.send(new DescribeAccountCommand({ AccountId: closing }));
    expect(pending.Account).toMatchObject({ State: 'PENDING_CLOSURE', Status: 'PENDING_CLOSURE' });
    model.settle();
    const closed = await client.send(new DescribeAccountCommand({ AccountId: closing }));
    expect(closed.Account).toMatchObject({ State: 'CLOSED', Status: 'SUSPENDED' });
    const other = await client.send(new DescribeAccountCommand({ AccountId: suspended }));
    expect(other.Account).toMatchObject({ State: 'SUSPENDED', Status: 'SUSPENDED' });

    for (const id of [closing, suspended]) {
      const error = await failure(assumeInto(standin, id));
      expect(error.name).toBe('AccessDenied');
      expect(error).toBeInstanceOf(STSServiceException);
    }
  });
});

describe('STS and IAM across accounts', () => {
  it('acts in the member account with the credentials AssumeRole returned', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });
    const session = await assumeInto(standin, member);
    expect(session.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);

    const identity = await sts(standin, session).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(member);
    expect(identity.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/dd-aws-org`);
    const management = await sts(standin).send(new GetCallerIdentityCommand({}));
    expect(management).toMatchObject({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/standin-admin' });

    const client = iam(standin, session);
    const created = await client.send(
      new CreateRoleCommand({
        RoleName: 'DatadogIntegrationRole',
        AssumeRolePolicyDocument: datadogTrust('ext-123'),
        Description: 'Datadog <AWS> integration & friends',
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'managed-by', Value: 'dd-aws-org' }],
      }),
    );
    expect(created.Role?.Arn).toBe(`arn:aws:iam::${member}:role/DatadogIntegrationRole`);
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);

    const role = model.getRole(member, 'DatadogIntegrationRole');
    expect(role).toMatchObject({
      description: 'Datadog <AWS> integration & friends',
      maxSessionDuration: 7200,
      tags: { 'managed-by': 'dd-aws-org' },
      path: '/',
    });
    expect(model.getRole('111111111111', 'DatadogIntegrationRole')).toBeUndefined();
    expect(model.iamWrites(member).map((call) => call.operation)).toEqual(['CreateRole']);
    expect(model.iamWrites('111111111111')).toEqual([]);
    const assume = model.callsTo('sts', 'AssumeRole')[0];
    expect(assume).toMatchObject({ accountId: member, callerAccountId: '111111111111' });
  });

  it('returns trust and inline documents URL-encoded, as IAM does', async () => {
    const { standin } = await setup();
    const client = iam(standin);
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: DATADOG_ACCOUNT }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } }],
    };
    await client.send(new CreateRoleCommand({ RoleName: 'DatadogIntegrationRole', AssumeRolePolicyDocument: JSON.stringify(trust, null, 2) }));
    const got = await client.send(new GetRoleCommand({ RoleName: 'datadogintegrationrole' }));
    const raw = got.Role?.AssumeRolePolicyDocument ?? '';
    expect(raw).toMatch(/^%7B%22Version%22/);
    const decoded = JSON.parse(decodeURIComponent(raw)) as typeof trust;
    // IAM stores the account ID principal as the account's root ARN.
    const principal = decoded.Statement[0]?.Principal;
    expect(principal).toEqual({ AWS: `arn:aws:iam::${DATADOG_ACCOUNT}:root` });
    expect({ ...decoded, Statement: decoded.Statement.map((s) => ({ ...s, Principal: trust.Statement[0]?.Principal })) }).toEqual(trust);
    expect(got.Role?.RoleName).toBe('DatadogIntegrationRole');

    const inline = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": ["tag:GetResources"], "Resource": "*"}]\n}';
    await client.send(new PutRolePolicyCommand({ RoleName: 'DatadogIntegrationRole', PolicyName: 'DatadogIntegrationPolicy', PolicyDocument: inline }));
    const policy = await client.send(new GetRolePolicyCommand({ RoleName: 'DatadogIntegrationRole', PolicyName: 'DatadogIntegrationPolicy' }));
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).toBe(inline);
  });

  it('manages inline and managed policies and tags of a role', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });
    const client = iam(standin, await assumeInto(standin, member));
    const RoleName = 'DatadogIntegrationRole';
    await client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: datadogTrust('one') }));

    for (let i = 0; i < 5; i += 1) {
      await client.send(new PutRolePolicyCommand({ RoleName, PolicyName: `Part${i}`, PolicyDocument: permissions([`ec2:Describe${i}`]) }));
    }
    const names: string[] = [];
    for await (const page of paginateListRolePolicies({ client, pageSize: 2 }, { RoleName })) names.push(...(page.PolicyNames ?? []));
    expect(names).toEqual(['Part0', 'Part1', 'Part2', 'Part3', 'Part4']);
    await client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'Part4' }));
    expect((await client.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames).toHaveLength(4);

    await client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }));
    await client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }));
    const attached = await client.send(new ListAttachedRolePoliciesCommand({ RoleName }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'SecurityAudit', PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }]);
    await client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }));

    await client.send(new TagRoleCommand({ RoleName, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await client.send(new UntagRoleCommand({ RoleName, TagKeys: ['a'] }));
    expect((await client.send(new ListRoleTagsCommand({ RoleName }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);

    await client.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: datadogTrust('two') }));
    await client.send(new UpdateRoleCommand({ RoleName, Description: 'updated', MaxSessionDuration: 3600 }));
    const role = model.getRole(member, RoleName);
    expect(role?.description).toBe('updated');
    expect(JSON.parse(role?.assumeRolePolicyDocument ?? '{}').Statement[0].Condition.StringEquals['sts:ExternalId']).toBe('two');
    expect(Object.keys(role?.inlinePolicies ?? {})).toEqual(['Part0', 'Part1', 'Part2', 'Part3']);
    expect(role?.attachedPolicyArns).toEqual([]);
  });

  it('maps every IAM error to the SDK exception', async () => {
    const { model, standin } = await setup();
    const client = iam(standin);
    const RoleName = 'DatadogIntegrationRole';

    const missing = await failure(client.send(new GetRoleCommand({ RoleName })));
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect(missing.message).toBe(`The role with name ${RoleName} cannot be found.`);
    expect(missing.$metadata?.httpStatusCode).toBe(404);

    await client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: datadogTrust('x') }));
    const duplicate = await failure(client.send(new CreateRoleCommand({ RoleName: 'datadogintegrationROLE', AssumeRolePolicyDocument: datadogTrust('x') })));
    expect(duplicate).toBeInstanceOf(EntityAlreadyExistsException);
    expect(duplicate.$metadata?.httpStatusCode).toBe(409);

    const malformed: [string, string][] = [
      ['not json', 'Syntax errors in policy.'],
      [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] }), 'The policy is missing the required field Version.'],
      [JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
      [
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ec2:*', Resource: '*' }] }),
        'Policy document should not specify a principal.',
      ],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:*' }] }), 'Missing required field Resource'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'Describe', Resource: '*' }] }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ];
    for (const [PolicyDocument, message] of malformed) {
      const error = await failure(client.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'P', PolicyDocument })));
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
      expect(error.message).toBe(message);
    }
    const trustWithoutPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    const badTrust = await failure(client.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: trustWithoutPrincipal })));
    expect(badTrust).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(badTrust.message).toBe('Missing required field Principal');
    const badPrincipal = await failure(client.send(new CreateRoleCommand({ RoleName: 'Other', AssumeRolePolicyDocument: datadogTrust('x', 'datadog') })));
    expect(badPrincipal).toBeInstanceOf(MalformedPolicyDocumentException);

    // 10,240 non-blank characters across the role's inline policies; white space does not count.
    const actions = (count: number) => Array.from({ length: count }, (_, i) => `ec2:DescribeSomething${String(i).padStart(4, '0')}`);
    const fits = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions(350), Resource: '*' }] }, null, 8);
    expect(fits.replace(/\s/g, '').length).toBeLessThanOrEqual(10240);
    expect(fits.length).toBeGreaterThan(10240);
    await client.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'Big', PolicyDocument: fits }));
    const tooBig = await failure(client.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'More', PolicyDocument: permissions(actions(20)) })));
    expect(tooBig).toBeInstanceOf(LimitExceededException);
    expect(tooBig.message).toBe(`Maximum policy size of 10240 bytes exceeded for role ${RoleName}`);
    const hugeTrust = JSON.stringify({
      Version: '2012-10-17',
      Statement: Array.from({ length: 30 }, (_, i) => JSON.parse(datadogTrust(`external-id-${i}`)).Statement[0]),
    });
    expect(await failure(client.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: hugeTrust })))).toBeInstanceOf(
      LimitExceededException,
    );

    const unknownPolicy = await failure(client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })));
    expect(unknownPolicy).toBeInstanceOf(NoSuchEntityException);
    expect(await failure(client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'SecurityAudit' })))).toBeInstanceOf(
      IamInvalidInputException,
    );
    await client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    expect(await failure(client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' })))).toBeInstanceOf(
      NoSuchEntityException,
    );
    expect(await failure(client.send(new GetRolePolicyCommand({ RoleName, PolicyName: 'Nope' })))).toBeInstanceOf(NoSuchEntityException);
    expect(await failure(client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'Nope' })))).toBeInstanceOf(NoSuchEntityException);

    const inlineConflict = await failure(client.send(new DeleteRoleCommand({ RoleName })));
    expect(inlineConflict).toBeInstanceOf(DeleteConflictException);
    expect(inlineConflict.message).toBe('Cannot delete entity, must delete policies first.');
    await client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'Big' }));
    const attachedConflict = await failure(client.send(new DeleteRoleCommand({ RoleName })));
    expect(attachedConflict).toBeInstanceOf(DeleteConflictException);
    expect(attachedConflict.message).toBe('Cannot delete entity, must detach all policies first.');
    await client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await client.send(new DeleteRoleCommand({ RoleName }));
    expect(model.getRole('111111111111', RoleName)).toBeUndefined();

    const badName = await failure(client.send(new GetRoleCommand({ RoleName: 'bad name!' })));
    expect(badName).toBeInstanceOf(IAMServiceException);
    expect(badName.name).toBe('ValidationError');
    const longName = await failure(client.send(new CreateRoleCommand({ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: datadogTrust('x') })));
    expect(longName.name).toBe('ValidationError');
  });

  it('denies AssumeRole n times for a new account (assumableAfterAttempts), then lets it in', async () => {
    const { model, standin } = await setup();
    const fresh = model.createAccount({ name: 'fresh', assumableAfterAttempts: 2 });
    for (let i = 0; i < 2; i += 1) {
      const error = await failure(assumeInto(standin, fresh));
      expect(error.name).toBe('AccessDenied');
      expect(error.$metadata?.httpStatusCode).toBe(403);
      expect(error.message).toBe(
        `User: arn:aws:iam::111111111111:user/standin-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${fresh}:role/OrganizationAccountAccessRole`,
      );
    }
    await expect(assumeInto(standin, fresh)).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(model.callsTo('sts', 'AssumeRole').map((call) => call.error)).toEqual(['AccessDenied', 'AccessDenied', undefined]);
  });

  it('uses the member role the account was created with (Control Tower) and refuses unknown roles', async () => {
    const { model, standin } = await setup();
    const enrolled = model.createAccount({ name: 'ct', memberRoleName: 'AWSControlTowerExecution' });
    const invited = model.createAccount({ name: 'invited', joinedMethod: 'INVITED' });
    expect(model.getRole(enrolled, 'AWSControlTowerExecution')?.attachedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    await expect(assumeInto(standin, enrolled, 'AWSControlTowerExecution')).resolves.toBeDefined();
    expect((await failure(assumeInto(standin, enrolled))).name).toBe('AccessDenied');
    expect((await failure(assumeInto(standin, invited))).name).toBe('AccessDenied');
    expect((await failure(assumeInto(standin, '999999999999'))).name).toBe('AccessDenied');
  });

  it('enforces session lifetimes: expiry, unknown keys, MaxSessionDuration and role chaining', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });
    const session = await assumeInto(standin, member);
    const chained = sts(standin, session);

    const tooShort = await failure(
      sts(standin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 's', DurationSeconds: 899 })),
    );
    expect(tooShort.name).toBe('ValidationError');
    const overMax = await failure(
      sts(standin).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'long', DurationSeconds: 7200 }),
      ),
    );
    expect(overMax.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

    model.putRoleByHand(member, {
      roleName: 'Chained',
      maxSessionDuration: 43200,
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: member }, Action: 'sts:AssumeRole' }] },
    });
    const chain = await failure(
      chained.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/Chained`, RoleSessionName: 'chain', DurationSeconds: 7200 })),
    );
    expect(chain.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    await expect(chained.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/Chained`, RoleSessionName: 'chain' }))).resolves.toBeDefined();

    model.advanceTime(3601 * 1000);
    const expired = await failure(iam(standin, session).send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' })));
    expect(expired).toBeInstanceOf(IAMServiceException);
    expect(expired.name).toBe('ExpiredToken');
    expect(expired.$metadata?.httpStatusCode).toBe(403);
    const expiredOrg = await failure(organizations(standin, session).send(new DescribeOrganizationCommand({})));
    expect(expiredOrg.name).toBe('ExpiredTokenException');

    const forged = { accessKeyId: 'ASIAFORGEDFORGED1234', secretAccessKey: 'x', sessionToken: 'nope' };
    const invalid = await failure(sts(standin, forged).send(new GetCallerIdentityCommand({})));
    expect(invalid.name).toBe('InvalidClientTokenId');
    expect(invalid.message).toBe('The security token included in the request is invalid.');
  });
});

describe('Datadog trust and external IDs', () => {
  it('canAssume evaluates the principal and the external ID, and STS enforces the same', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });
    const client = iam(standin, await assumeInto(standin, member));
    await client.send(new CreateRoleCommand({ RoleName: 'DatadogIntegrationRole', AssumeRolePolicyDocument: datadogTrust('ext-123') }));

    expect(model.canAssume(member, 'DatadogIntegrationRole', { principalAccount: DATADOG_ACCOUNT, externalId: 'ext-123' })).toBe(true);
    expect(model.canAssume(member, 'DatadogIntegrationRole', { principalAccount: DATADOG_ACCOUNT, externalId: 'other' })).toBe(false);
    expect(model.canAssume(member, 'DatadogIntegrationRole', { principalAccount: DATADOG_ACCOUNT })).toBe(false);
    expect(model.canAssume(member, 'DatadogIntegrationRole', { principalAccount: '222222222222', externalId: 'ext-123' })).toBe(false);
    expect(model.canAssume(member, 'Missing', { principalAccount: DATADOG_ACCOUNT, externalId: 'ext-123' })).toBe(false);
    expect(model.explainAssume(member, 'Missing', { principalAccount: DATADOG_ACCOUNT }).reason).toBe(`no role Missing in ${member}`);

    // Datadog's own key, calling our STS: only the right external ID gets in.
    model.addAccessKey('AKIADATADOGEXAMPLE01', { accountId: DATADOG_ACCOUNT, userName: 'datadog' });
    const datadog = sts(standin, { accessKeyId: 'AKIADATADOGEXAMPLE01', secretAccessKey: 'x' });
    const RoleArn = `arn:aws:iam::${member}:role/DatadogIntegrationRole`;
    expect((await failure(datadog.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'dd', ExternalId: 'wrong' })))).name).toBe('AccessDenied');
    const inside = await datadog.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'dd', ExternalId: 'ext-123' }));
    expect(inside.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${member}:assumed-role/DatadogIntegrationRole/dd`);

    // Drift by hand: someone widens the trust policy in the console.
    model.putRoleByHand(member, {
      roleName: 'DatadogIntegrationRole',
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: DATADOG_ACCOUNT }, Action: 'sts:AssumeRole' }] },
    });
    expect(model.canAssume(member, 'DatadogIntegrationRole', { principalAccount: DATADOG_ACCOUNT })).toBe(true);
    expect(model.deleteRoleByHand(member, 'DatadogIntegrationRole')).toBe(true);
    expect(model.canAssume(member, 'DatadogIntegrationRole', { principalAccount: DATADOG_ACCOUNT, externalId: 'ext-123' })).toBe(false);
  });

  it('uses the aws-us-gov partition throughout when asked', async () => {
    const { model, standin } = await setup({ partition: 'aws-us-gov' });
    const member = model.createAccount({ name: 'gov' });
    const org = await organizations(standin).send(new DescribeOrganizationCommand({}));
    expect(org.Organization?.Arn).toMatch(/^arn:aws-us-gov:organizations::111111111111:organization\//);
    const wrongPartition = await failure(assumeInto(standin, member));
    expect(wrongPartition.name).toBe('AccessDenied');
    const answer = await sts(standin).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws-us-gov:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'gov' }),
    );
    expect(answer.AssumedRoleUser?.Arn).toBe(`arn:aws-us-gov:sts::${member}:assumed-role/OrganizationAccountAccessRole/gov`);
    expect(model.getRole(member, 'OrganizationAccountAccessRole')?.arn).toBe(`arn:aws-us-gov:iam::${member}:role/OrganizationAccountAccessRole`);
  });
});

describe('fault injection and the call log', () => {
  it('surfaces injected throttling and failures to clients that do not retry', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });

    model.failNext({ service: 'organizations', operation: 'ListAccounts', code: 'TooManyRequestsException' });
    const throttled = await failure(organizations(standin).send(new ListAccountsCommand({})));
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(throttled.$metadata?.httpStatusCode).toBe(429);
    await expect(organizations(standin).send(new ListAccountsCommand({}))).resolves.toBeDefined();

    model.failNext({ service: 'iam', code: 'Throttling', status: 400, times: 2 });
    const client = iam(standin);
    for (let i = 0; i < 2; i += 1) {
      const error = await failure(client.send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' })));
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
    expect(model.pendingFaults).toBe(0);

    model.failNext({ service: 'iam', operation: 'CreateRole', code: 'ServiceFailure' });
    const failed = await failure(client.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: datadogTrust('x') })));
    expect(failed).toBeInstanceOf(ServiceFailureException);
    expect(failed.$metadata?.httpStatusCode).toBe(500);

    model.failNext({ service: 'sts', operation: 'AssumeRole', accountId: member, code: 'RegionDisabledException', message: 'STS is not activated in this region' });
    expect(await failure(assumeInto(standin, member))).toBeInstanceOf(RegionDisabledException);
    model.failNext({ service: 'sts', code: 'Throttling' });
    expect((await failure(assumeInto(standin, member))).name).toBe('Throttling');
  });

  it('lets a retrying client ride out a throttle', async () => {
    const { model, standin } = await setup();
    model.failNext({ service: 'organizations', code: 'TooManyRequestsException' });
    const answer = await organizations(standin, MANAGEMENT_KEY, 3).send(new ListAccountsCommand({}));
    expect(answer.$metadata.attempts).toBe(2);
    expect(model.callsTo('organizations').map((call) => call.error)).toEqual(['TooManyRequestsException', undefined]);
  });

  it('logs every call with the account it acted in, so tests can assert zero IAM writes', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });
    const session = await assumeInto(standin, member);
    await iam(standin, session).send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }));
    await failure(iam(standin, session).send(new GetRoleCommand({ RoleName: 'DatadogIntegrationRole' })));
    expect(model.iamWrites()).toEqual([]);
    expect(model.callsTo('iam').map((call) => [call.operation, call.accountId, call.error])).toEqual([
      ['GetRole', member, undefined],
      ['GetRole', member, 'NoSuchEntity'],
    ]);
    expect(model.callsTo('iam')[0]?.params).toEqual({ RoleName: 'OrganizationAccountAccessRole' });
    model.clearCalls();
    expect(model.calls).toEqual([]);
  });
});

describe('wire format', () => {
  const scope = (service: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIDMANAGEMENT/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

  it('answers Query errors as ErrorResponse XML and JSON errors with __type and x-amzn-errortype', async () => {
    const { standin } = await setup();
    const unsigned = await fetch(`${standin.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetRole&Version=2010-05-08&RoleName=x',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toMatch(
      /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
    );

    const missing = await fetch(`${standin.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: scope('iam') },
      body: 'Action=GetRole&Version=2010-05-08&RoleName=a%26b',
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Value &apos;a&amp;b&apos; at &apos;roleName&apos;');

    const ok = await fetch(`${standin.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: scope('iam') },
      body: 'Action=ListRoles&Version=2010-05-08',
    });
    expect(await ok.text()).toMatch(/^<ListRolesResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><ListRolesResult><Roles><\/Roles><IsTruncated>false<\/IsTruncated><\/ListRolesResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/ListRolesResponse>$/);

    const json = await fetch(`${standin.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSOrganizationsV20161128.DescribeAccount',
        authorization: scope('organizations'),
      },
      body: JSON.stringify({ AccountId: '999999999999' }),
    });
    expect(json.status).toBe(404);
    expect(json.headers.get('x-amzn-errortype')).toBe('AccountNotFoundException');
    expect(await json.json()).toEqual({ __type: 'AccountNotFoundException', Message: "You specified an account that doesn't exist." });

    const unknown = await fetch(`${standin.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: scope('sts') },
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
  });
});

describe('AWS_ENDPOINT_URL', () => {
  const KEYS = [
    'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE',
    'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_ORGANIZATIONS',
  ];
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]));
    for (const key of KEYS) delete process.env[key];
  });
  afterEach(() => {
    for (const key of KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('reaches the stand-in through the SDK standard environment variable, with no endpoint option', async () => {
    const { model, standin } = await setup();
    const member = model.createAccount({ name: 'workload' });
    Object.assign(process.env, standin.env());
    expect(standin.env()).toEqual({
      AWS_ENDPOINT_URL: standin.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
    });

    const stsClient = new STSClient({ maxAttempts: 1 });
    const orgClient = new OrganizationsClient({ maxAttempts: 1 });
    clientsToClose.push(stsClient, orgClient);
    const identity = await stsClient.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('111111111111');
    const accounts = await orgClient.send(new ListAccountsCommand({}));
    expect(accounts.Accounts?.map((account) => account.Id)).toEqual(['111111111111', member]);
    const session = await assumeInto(standin, member);
    const iamClient = new IAMClient({ maxAttempts: 1, credentials: session });
    clientsToClose.push(iamClient);
    await iamClient.send(new CreateRoleCommand({ RoleName: 'ViaEnv', AssumeRolePolicyDocument: datadogTrust('env') }));
    expect(model.getRole(member, 'ViaEnv')).toBeDefined();
    expect(model.calls.map((call) => call.operation)).toEqual(['GetCallerIdentity', 'ListAccounts', 'AssumeRole', 'CreateRole']);
  });
});
