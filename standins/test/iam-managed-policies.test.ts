import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  IAMServiceException,
  InvalidInputException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  paginateListPolicyVersions,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { FakeAwsOrganization, startAwsStandin, type AwsStandin, type Caller } from '../aws';
import { iamCall } from '../aws/iam';
import { QueryParams } from '../aws/protocol';

const MANAGEMENT = '111111111111';
const MANAGEMENT_KEY = { accessKeyId: 'AKIDMANAGEMENT', secretAccessKey: 'x' };
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::464622532012:root' }, Action: 'sts:AssumeRole' }],
});

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

const running: AwsStandin[] = [];
const clientsToClose: { destroy(): void }[] = [];

afterEach(async () => {
  for (const client of clientsToClose.splice(0)) client.destroy();
  await Promise.all(running.splice(0).map((standin) => standin.stop()));
});

function config(standin: AwsStandin, credentials: Credentials) {
  return { region: 'us-east-1', endpoint: standin.url, credentials, maxAttempts: 1 };
}

/** The stand-in with one member account, and an IAM client acting in it through its member-access role. */
async function setup(): Promise<{ model: FakeAwsOrganization; standin: AwsStandin; member: string; client: IAMClient }> {
  const model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
  const member = model.createAccount({ name: 'workload' });
  const standin = await startAwsStandin(model);
  running.push(standin);
  const client = iam(standin, await assumeInto(standin, member));
  return { model, standin, member, client };
}

function iam(standin: AwsStandin, credentials: Credentials = MANAGEMENT_KEY): IAMClient {
  const client = new IAMClient(config(standin, credentials));
  clientsToClose.push(client);
  return client;
}

async function assumeInto(standin: AwsStandin, accountId: string): Promise<Credentials> {
  const sts = new STSClient(config(standin, MANAGEMENT_KEY));
  clientsToClose.push(sts);
  const answer = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'dd-aws-org' }),
  );
  const credentials = answer.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) throw new Error('no credentials');
  return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
}

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

function permissions(actions: string[], resource = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });
}

/** A valid permissions document of exactly `size` characters, none of them white space. */
function documentOfSize(size: number): string {
  const base = permissions(['s3:GetObject'], 'arn:aws:s3:::');
  const padded = permissions(['s3:GetObject'], `arn:aws:s3:::${'a'.repeat(size - base.length)}`);
  expect(padded).toHaveLength(size);
  return padded;
}

function decoded(document: string | undefined): unknown {
  return JSON.parse(decodeURIComponent(document ?? ''));
}

describe('CreatePolicy and GetPolicy', () => {
  it('creates a customer managed policy with its path, tags and v1, and reads it back', async () => {
    const { model, member, client } = await setup();
    const document = permissions(['cloudwatch:Get*', 'ec2:Describe*']);
    const created = await client.send(
      new CreatePolicyCommand({
        PolicyName: 'DatadogIntegrationPolicy1',
        Path: '/datadog/',
        PolicyDocument: document,
        Description: 'Datadog permissions, part 1',
        Tags: [{ Key: 'managed-by', Value: 'dd-aws-org' }],
      }),
    );
    const arn = `arn:aws:iam::${member}:policy/datadog/DatadogIntegrationPolicy1`;
    expect(created.Policy).toMatchObject({
      PolicyName: 'DatadogIntegrationPolicy1',
      Arn: arn,
      Path: '/datadog/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Tags: [{ Key: 'managed-by', Value: 'dd-aws-org' }],
    });
    expect(created.Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(created.Policy?.CreateDate).toBeInstanceOf(Date);
    expect(created.Policy?.UpdateDate).toEqual(created.Policy?.CreateDate);
    // CreatePolicy's answer leaves the description out; GetPolicy has it.
    expect(created.Policy?.Description).toBeUndefined();

    const got = await client.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(got.Policy).toEqual({ ...created.Policy, Description: 'Datadog permissions, part 1' });

    const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(version.PolicyVersion?.Document).toMatch(/^%7B%22Version%22/);
    expect(decodeURIComponent(version.PolicyVersion?.Document ?? '')).toBe(document);
    expect(version.PolicyVersion).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
    expect(version.PolicyVersion?.CreateDate).toEqual(created.Policy?.CreateDate);

    expect(model.customerPolicies(member)).toEqual([
      {
        name: 'DatadogIntegrationPolicy1',
        arn,
        path: '/datadog/',
        policyId: created.Policy?.PolicyId,
        description: 'Datadog permissions, part 1',
        defaultVersionId: 'v1',
        document: JSON.parse(document) as unknown,
        versions: 1,
        versionIds: ['v1'],
        attachmentCount: 0,
        tags: { 'managed-by': 'dd-aws-org' },
      },
    ]);
    expect(model.customerPolicies(MANAGEMENT)).toEqual([]);
    expect(model.customerPolicyDocument(member, 'datadogintegrationpolicy1')).toBe(document);
    expect(model.iamWrites(member).map((call) => call.operation)).toEqual(['CreatePolicy']);
  });

  it('defaults the path to / and answers no Tags when none were given', async () => {
    const { member, client } = await setup();
    const created = await client.send(new CreatePolicyCommand({ PolicyName: 'Plain', PolicyDocument: permissions(['tag:GetResources']) }));
    expect(created.Policy).toMatchObject({ Path: '/', Arn: `arn:aws:iam::${member}:policy/Plain` });
    expect(created.Policy?.Tags).toBeUndefined();
  });

  it('refuses a second policy of the same name in the account, whatever the case or path (EntityAlreadyExists)', async () => {
    const { model, member, standin, client } = await setup();
    await client.send(new CreatePolicyCommand({ PolicyName: 'DatadogPolicy', PolicyDocument: permissions(['ec2:Describe*']) }));
    for (const input of [{ PolicyName: 'DatadogPolicy' }, { PolicyName: 'datadogpolicy', Path: '/other/' }]) {
      const error = await failure(client.send(new CreatePolicyCommand({ ...input, PolicyDocument: permissions(['s3:List*']) })));
      expect(error).toBeInstanceOf(EntityAlreadyExistsException);
      expect(error.$metadata?.httpStatusCode).toBe(409);
      expect(error.message).toBe(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
    }
    expect(model.customerPolicies(member)).toHaveLength(1);
    // Another account may use the name.
    await iam(standin).send(new CreatePolicyCommand({ PolicyName: 'DatadogPolicy', PolicyDocument: permissions(['s3:List*']) }));
    expect(model.customerPolicies(MANAGEMENT).map((policy) => policy.arn)).toEqual([`arn:aws:iam::${MANAGEMENT}:policy/DatadogPolicy`]);
  });

  it('refuses malformed documents (MalformedPolicyDocument) and bad names or paths (ValidationError)', async () => {
    const { model, member, client } = await setup();
    const cases: [string, string][] = [
      ['not json', 'Syntax errors in policy.'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] }), 'Missing required field Resource'],
      [TRUST, 'Policy document should not specify a principal.'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] }),
        'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ];
    for (const [PolicyDocument, message] of cases) {
      const error = await failure(client.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument })));
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toBe(message);
    }
    const badName = await failure(client.send(new CreatePolicyCommand({ PolicyName: 'has space', PolicyDocument: permissions(['s3:*']) })));
    expect(badName).toBeInstanceOf(IAMServiceException);
    expect(badName.name).toBe('ValidationError');
    const longName = await failure(client.send(new CreatePolicyCommand({ PolicyName: 'p'.repeat(129), PolicyDocument: permissions(['s3:*']) })));
    expect(longName.message).toMatch(/Member must have length less than or equal to 128/);
    const badPath = await failure(client.send(new CreatePolicyCommand({ PolicyName: 'P', Path: 'datadog', PolicyDocument: permissions(['s3:*']) })));
    expect(badPath.name).toBe('ValidationError');
    expect(model.customerPolicies(member)).toEqual([]);
  });

  it('counts 6,144 characters without white space (LimitExceeded beyond)', async () => {
    const { model, member, client } = await setup();
    await client.send(new CreatePolicyCommand({ PolicyName: 'Exact', PolicyDocument: documentOfSize(6144) }));

    const over = await failure(client.send(new CreatePolicyCommand({ PolicyName: 'Over', PolicyDocument: documentOfSize(6145) })));
    expect(over).toBeInstanceOf(LimitExceededException);
    expect(over.$metadata?.httpStatusCode).toBe(409);
    expect(over.message).toBe('Cannot exceed quota for PolicySize: 6144');

    // Pretty-printed: far more than 6,144 characters, but white space does not count.
    const pretty = JSON.stringify(JSON.parse(documentOfSize(6144)), null, 8).replace(/\n/g, '\r\n\t');
    expect(pretty.length).toBeGreaterThan(6144 + 50);
    const created = await client.send(new CreatePolicyCommand({ PolicyName: 'Pretty', PolicyDocument: pretty }));
    const stored = await client.send(new GetPolicyVersionCommand({ PolicyArn: created.Policy?.Arn, VersionId: 'v1' }));
    expect(decodeURIComponent(stored.PolicyVersion?.Document ?? '')).toBe(pretty);

    // The same limit for new versions.
    const arn = `arn:aws:iam::${member}:policy/Exact`;
    const overVersion = await failure(client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: documentOfSize(6145) })));
    expect(overVersion).toBeInstanceOf(LimitExceededException);
    await client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: documentOfSize(6144), SetAsDefault: true }));
    expect(model.customerPolicies(member).map((policy) => policy.name)).toEqual(['Exact', 'Pretty']);
  });

  it('answers NoSuchEntity for unknown policies, InvalidInput for bad ARNs, AccessDenied for another account', async () => {
    const { model, member, standin, client } = await setup();
    const unknown = `arn:aws:iam::${member}:policy/Nothing`;
    for (const send of [
      () => client.send(new GetPolicyCommand({ PolicyArn: unknown })),
      () => client.send(new GetPolicyVersionCommand({ PolicyArn: unknown, VersionId: 'v1' })),
      () => client.send(new ListPolicyVersionsCommand({ PolicyArn: unknown })),
      () => client.send(new CreatePolicyVersionCommand({ PolicyArn: unknown, PolicyDocument: permissions(['s3:*']) })),
      () => client.send(new DeletePolicyVersionCommand({ PolicyArn: unknown, VersionId: 'v2' })),
      () => client.send(new DeletePolicyCommand({ PolicyArn: unknown })),
    ]) {
      const error = await failure(send());
      expect(error).toBeInstanceOf(NoSuchEntityException);
      expect(error.$metadata?.httpStatusCode).toBe(404);
      expect(error.message).toBe(`Policy ${unknown} was not found.`);
    }
    expect(await failure(client.send(new GetPolicyCommand({ PolicyArn: 'DatadogPolicy' })))).toBeInstanceOf(InvalidInputException);

    await iam(standin).send(new CreatePolicyCommand({ PolicyName: 'ManagementOnly', PolicyDocument: permissions(['s3:*']) }));
    const elsewhere = `arn:aws:iam::${MANAGEMENT}:policy/ManagementOnly`;
    const denied = await failure(client.send(new GetPolicyCommand({ PolicyArn: elsewhere })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    const notAttachable = await failure(client.send(new AttachRolePolicyCommand({ RoleName: 'OrganizationAccountAccessRole', PolicyArn: elsewhere })));
    expect(notAttachable).toBeInstanceOf(NoSuchEntityException);
    expect(model.customerPolicies(MANAGEMENT)).toHaveLength(1);
  });

  it('reads AWS managed policies with a placeholder default version, and refuses to change them', async () => {
    const { client } = await setup();
    const PolicyArn = 'arn:aws:iam::aws:policy/SecurityAudit';
    const got = await client.send(new GetPolicyCommand({ PolicyArn }));
    expect(got.Policy).toMatchObject({ PolicyName: 'SecurityAudit', Arn: PolicyArn, Path: '/', DefaultVersionId: 'v1', IsAttachable: true });
    expect(got.Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect((await client.send(new GetPolicyCommand({ PolicyArn }))).Policy?.PolicyId).toBe(got.Policy?.PolicyId);
    const viewOnly = await client.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess' }));
    expect(viewOnly.Policy).toMatchObject({ PolicyName: 'ViewOnlyAccess', Path: '/job-function/' });

    const version = await client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'v1' }));
    expect(version.PolicyVersion).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
    expect(decoded(version.PolicyVersion?.Document)).toMatchObject({ Version: '2012-10-17' });
    expect((await client.send(new ListPolicyVersionsCommand({ PolicyArn }))).Versions?.map((v) => v.VersionId)).toEqual(['v1']);
    expect(await failure(client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'v2' })))).toBeInstanceOf(NoSuchEntityException);
    expect(await failure(client.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })))).toBeInstanceOf(
      NoSuchEntityException,
    );

    const denied = await failure(client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['s3:*']) })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect((await failure(client.send(new DeletePolicyCommand({ PolicyArn })))).name).toBe('AccessDenied');
  });
});

describe('policy versions', () => {
  it('creates versions v2.. (default or not), lists them newest first, and keeps at most 5', async () => {
    const { model, member, client } = await setup();
    const created = await client.send(new CreatePolicyCommand({ PolicyName: 'DatadogPolicy', PolicyDocument: permissions(['ec2:Describe*']) }));
    const PolicyArn = created.Policy?.Arn ?? '';

    const v2 = await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['s3:List*']) }));
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    expect(v2.PolicyVersion?.Document).toBeUndefined();
    expect((await client.send(new GetPolicyCommand({ PolicyArn }))).Policy?.DefaultVersionId).toBe('v1');

    const v3 = await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['sqs:List*']), SetAsDefault: true }));
    expect(v3.PolicyVersion).toMatchObject({ VersionId: 'v3', IsDefaultVersion: true });
    expect((await client.send(new GetPolicyCommand({ PolicyArn }))).Policy?.DefaultVersionId).toBe('v3');
    const v1 = await client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'v1' }));
    expect(v1.PolicyVersion?.IsDefaultVersion).toBe(false);
    expect(decoded((await client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'v3' }))).PolicyVersion?.Document)).toEqual(
      JSON.parse(permissions(['sqs:List*'])),
    );
    expect(model.customerPolicy(member, 'DatadogPolicy')?.document).toEqual(JSON.parse(permissions(['sqs:List*'])));

    await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['sns:List*']) }));
    await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['rds:Describe*']) }));
    const sixth = await failure(client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['kms:List*']) })));
    expect(sixth).toBeInstanceOf(LimitExceededException);
    expect(sixth.$metadata?.httpStatusCode).toBe(409);
    expect(sixth.message).toBe('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');

    const listed = await client.send(new ListPolicyVersionsCommand({ PolicyArn }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v5', false], ['v4', false], ['v3', true], ['v2', false], ['v1', false],
    ]);
    expect(listed.Versions?.every((v) => v.Document === undefined && v.CreateDate instanceof Date)).toBe(true);
    expect(listed.IsTruncated).toBe(false);
    const paged: string[] = [];
    for await (const page of paginateListPolicyVersions({ client, pageSize: 2 }, { PolicyArn })) {
      paged.push(...(page.Versions ?? []).map((v) => v.VersionId ?? ''));
    }
    expect(paged).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);

    // Version IDs are never reused.
    await client.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: 'v5' }));
    const next = await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['kms:List*']) }));
    expect(next.PolicyVersion?.VersionId).toBe('v6');
    expect(model.customerPolicy(member, 'DatadogPolicy')).toMatchObject({ versions: 5, versionIds: ['v1', 'v2', 'v3', 'v4', 'v6'] });

    const malformed = await failure(client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: TRUST })));
    expect(malformed).toBeInstanceOf(MalformedPolicyDocumentException);
  });

  it('refuses to delete the default version (DeleteConflict) or an unknown one (NoSuchEntity); SetDefaultPolicyVersion moves the default', async () => {
    const { model, member, client } = await setup();
    const created = await client.send(new CreatePolicyCommand({ PolicyName: 'DatadogPolicy', PolicyDocument: permissions(['ec2:Describe*']) }));
    const PolicyArn = created.Policy?.Arn ?? '';
    await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['s3:List*']), SetAsDefault: true }));

    const conflict = await failure(client.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: 'v2' })));
    expect(conflict).toBeInstanceOf(DeleteConflictException);
    expect(conflict.$metadata?.httpStatusCode).toBe(409);
    expect(conflict.message).toBe('Cannot delete the default version of a policy.');

    const unknown = await failure(client.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: 'v9' })));
    expect(unknown).toBeInstanceOf(NoSuchEntityException);
    expect(unknown.$metadata?.httpStatusCode).toBe(404);
    expect(await failure(client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'v9' })))).toBeInstanceOf(NoSuchEntityException);
    expect((await failure(client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: 'latest' })))).name).toBe('ValidationError');

    await client.send(new SetDefaultPolicyVersionCommand({ PolicyArn, VersionId: 'v1' }));
    expect((await client.send(new GetPolicyCommand({ PolicyArn }))).Policy?.DefaultVersionId).toBe('v1');
    await client.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: 'v2' }));
    expect(model.customerPolicy(member, 'DatadogPolicy')).toMatchObject({ versions: 1, versionIds: ['v1'], defaultVersionId: 'v1' });
    expect(model.iamWrites(member).map((call) => call.operation)).toEqual([
      'CreatePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion',
    ]);
  });
});

describe('attachments and DeletePolicy', () => {
  it('attaches customer policies to roles of the account, counting attachments, listed with their path', async () => {
    const { model, member, client } = await setup();
    const created = await client.send(
      new CreatePolicyCommand({ PolicyName: 'DatadogPolicy1', Path: '/datadog/', PolicyDocument: permissions(['ec2:Describe*']) }),
    );
    const PolicyArn = created.Policy?.Arn ?? '';
    for (const RoleName of ['DatadogIntegrationRole', 'Other']) {
      await client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
      await client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    }
    await client.send(new AttachRolePolicyCommand({ RoleName: 'Other', PolicyArn }));
    expect((await client.send(new GetPolicyCommand({ PolicyArn }))).Policy?.AttachmentCount).toBe(2);
    expect(model.customerPolicy(member, 'DatadogPolicy1')?.attachmentCount).toBe(2);

    await client.send(new AttachRolePolicyCommand({ RoleName: 'DatadogIntegrationRole', PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }));
    const attached = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: 'DatadogIntegrationRole' }));
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: 'DatadogPolicy1', PolicyArn: `arn:aws:iam::${member}:policy/datadog/DatadogPolicy1` },
      { PolicyName: 'SecurityAudit', PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' },
    ]);
    const underDatadog = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: 'DatadogIntegrationRole', PathPrefix: '/datadog/' }));
    expect(underDatadog.AttachedPolicies?.map((policy) => policy.PolicyName)).toEqual(['DatadogPolicy1']);

    // A role with the policy attached cannot go.
    const roleConflict = await failure(client.send(new DeleteRoleCommand({ RoleName: 'Other' })));
    expect(roleConflict).toBeInstanceOf(DeleteConflictException);

    await client.send(new DetachRolePolicyCommand({ RoleName: 'Other', PolicyArn }));
    expect((await client.send(new GetPolicyCommand({ PolicyArn }))).Policy?.AttachmentCount).toBe(1);
    await client.send(new DeleteRoleCommand({ RoleName: 'Other' }));
    expect(await failure(client.send(new DetachRolePolicyCommand({ RoleName: 'DatadogIntegrationRole', PolicyArn: `${PolicyArn}x` })))).toBeInstanceOf(
      NoSuchEntityException,
    );
  });

  it('refuses DeletePolicy while attached or with other versions (DeleteConflict), then deletes it', async () => {
    const { model, member, client } = await setup();
    const created = await client.send(new CreatePolicyCommand({ PolicyName: 'DatadogPolicy', PolicyDocument: permissions(['ec2:Describe*']) }));
    const PolicyArn = created.Policy?.Arn ?? '';
    const RoleName = 'DatadogIntegrationRole';
    await client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
    await client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    await client.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: permissions(['s3:List*']), SetAsDefault: true }));

    const attached = await failure(client.send(new DeletePolicyCommand({ PolicyArn })));
    expect(attached).toBeInstanceOf(DeleteConflictException);
    expect(attached.$metadata?.httpStatusCode).toBe(409);
    expect(attached.message).toBe('Cannot delete a policy attached to entities.');

    await client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
    const versions = await failure(client.send(new DeletePolicyCommand({ PolicyArn })));
    expect(versions).toBeInstanceOf(DeleteConflictException);
    expect(versions.message).toBe(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );

    await client.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: 'v1' }));
    await client.send(new DeletePolicyCommand({ PolicyArn }));
    expect(model.customerPolicies(member)).toEqual([]);
    expect(await failure(client.send(new GetPolicyCommand({ PolicyArn })))).toBeInstanceOf(NoSuchEntityException);
    expect(await failure(client.send(new DeletePolicyCommand({ PolicyArn })))).toBeInstanceOf(NoSuchEntityException);
    expect(await failure(client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn })))).toBeInstanceOf(NoSuchEntityException);

    // The name is free again; the new policy is another one.
    const again = await client.send(new CreatePolicyCommand({ PolicyName: 'DatadogPolicy', PolicyDocument: permissions(['ec2:Describe*']) }));
    expect(again.Policy?.PolicyId).not.toBe(created.Policy?.PolicyId);
    expect(again.Policy?.DefaultVersionId).toBe('v1');
  });
});

describe('in process and by hand', () => {
  const caller = (accountId: string): Caller => ({ kind: 'user', accountId, arn: `arn:aws:iam::${accountId}:user/admin`, userId: 'AIDAEXAMPLE' });

  it('serves the same operations through iamCall, up to 1,500 customer policies per account', () => {
    const model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
    const document = permissions(['ec2:Describe*']);
    const answer = iamCall(model, caller(MANAGEMENT), 'CreatePolicy', new QueryParams({ PolicyName: 'P0', PolicyDocument: document }));
    expect(answer).toMatchObject({ Policy: { PolicyName: 'P0', DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true } });
    for (let i = 1; i < 1500; i += 1) {
      iamCall(model, caller(MANAGEMENT), 'CreatePolicy', new QueryParams({ PolicyName: `P${i}`, PolicyDocument: document }));
    }
    expect(model.customerPolicies(MANAGEMENT)).toHaveLength(1500);
    expect(() => iamCall(model, caller(MANAGEMENT), 'CreatePolicy', new QueryParams({ PolicyName: 'One2Many', PolicyDocument: document })))
      .toThrow('Cannot exceed quota for PoliciesPerAccount: 1500');
  });

  it('puts and deletes customer policies by hand, without IAM checks', async () => {
    const { model, member, client } = await setup();
    const view = model.putCustomerPolicyByHand(member, {
      policyName: 'ConsoleMade',
      path: '/team/',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
      tags: { owner: 'someone' },
    });
    expect(view).toMatchObject({ arn: `arn:aws:iam::${member}:policy/team/ConsoleMade`, versions: 1, defaultVersionId: 'v1', tags: { owner: 'someone' } });
    const got = await client.send(new GetPolicyCommand({ PolicyArn: view.arn }));
    expect(got.Policy).toMatchObject({ PolicyName: 'ConsoleMade', PolicyId: view.policyId, Tags: [{ Key: 'owner', Value: 'someone' }] });
    expect(model.deleteCustomerPolicyByHand(member, 'consolemade')).toBe(true);
    expect(await failure(client.send(new GetPolicyCommand({ PolicyArn: view.arn })))).toBeInstanceOf(NoSuchEntityException);
  });
});
