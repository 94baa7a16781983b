/** The IAM writes on the Datadog role, against a mocked IAM client: what is sent when the role or the policy already exists. */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { applyPermissions, createRole } from './iam-role';
import { customerPolicyArn } from '../domain/ownership';
import { datadogTrustPolicy, type PolicyDocument, type PolicyStatement } from '../domain/policy';
import { desiredRole } from '../plan/desired-role';
import { EXTERNAL_ID, US1_PRINCIPAL, makeConfig } from '../../test/support/plan-fixtures';

const ACCOUNT = { accountId: '123456789012', partition: 'aws' as const };
const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });
const exists = () => new EntityAlreadyExistsException({ message: 'exists', $metadata: {} });

const DENY: PolicyStatement = { Sid: 'NoOtherPrincipal', Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' };

beforeEach(() => {
  iam.reset();
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
});

describe('createRole on a role that already exists', () => {
  it('rewrites the trust as the update does: Deny statements someone added stay', async () => {
    const desired = desiredRole(makeConfig({ datadog: { apiVersion: 'v1' } }), 'aws');
    const current: PolicyDocument = { Version: '2012-10-17', Statement: [...datadogTrustPolicy(US1_PRINCIPAL, 'old-id').Statement, DENY] };
    iam.on(CreateRoleCommand).rejects(exists());
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: desired.roleName, Path: '/', RoleId: 'AROA', Arn: 'arn', CreateDate: new Date(), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(current)) } });
    iam.on(UpdateAssumeRolePolicyCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});

    await createRole(client, desired, datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), ACCOUNT);

    const [update] = iam.commandCalls(UpdateAssumeRolePolicyCommand);
    const written = JSON.parse(update!.args[0].input.PolicyDocument!) as PolicyDocument;
    expect(written.Statement).toEqual([...datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID).Statement, DENY]);
  });
});

describe('a customer managed policy at IAM five versions', () => {
  it('makes room by deleting the OLDEST non-default version, whatever order IAM lists them in', async () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' }, integration: { resourceCollection: true } });
    const desired = desiredRole(config, 'aws', { standard: ['ec2:Describe*'], resourceCollection: ['s3:GetBucketPolicy'], source: 'datadog' });
    const [name] = Object.keys(desired.customerPolicies);
    const arn = customerPolicyArn('aws', ACCOUNT.accountId, name!);
    const old: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: '*' }] };
    const day = (n: number) => new Date(Date.UTC(2026, 0, n));
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(CreatePolicyCommand).rejects(exists());
    iam.on(GetPolicyCommand).resolves({ Policy: { Arn: arn, DefaultVersionId: 'v5' } });
    iam.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: encodeURIComponent(JSON.stringify(old)), VersionId: 'v5', IsDefaultVersion: true } });
    // Oldest first: the order IAM does not promise either way.
    iam.on(ListPolicyVersionsCommand).resolves({
      Versions: [1, 2, 3, 4, 5].map((n) => ({ VersionId: `v${n}`, IsDefaultVersion: n === 5, CreateDate: day(n) })),
    });
    iam.on(DeletePolicyVersionCommand).resolves({});
    iam.on(CreatePolicyVersionCommand).resolves({});

    await applyPermissions(client, desired, ACCOUNT);

    expect(iam.commandCalls(DeletePolicyVersionCommand).map((c) => c.args[0].input.VersionId)).toEqual(['v1']);
    expect(iam.commandCalls(CreatePolicyVersionCommand)).toHaveLength(1);
  });
});

describe('createRole on a new role', () => {
  it('lists nothing (a role just created has no policies) and writes each policy once', async () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' }, integration: { resourceCollection: true } });
    const desired = desiredRole(config, 'aws', { standard: ['ec2:Describe*'], resourceCollection: ['s3:GetBucketPolicy'], source: 'datadog' });
    iam.on(CreateRoleCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(CreatePolicyCommand).resolves({});
    iam.on(AttachRolePolicyCommand).resolves({});

    await createRole(client, desired, datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), ACCOUNT);

    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(0);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(0);
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.PolicyName).sort()).toEqual(Object.keys(desired.inlinePolicies).sort());
    const customerArns = Object.keys(desired.customerPolicies).map((name) => customerPolicyArn('aws', ACCOUNT.accountId, name));
    expect(iam.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input.PolicyArn).sort()).toEqual([...desired.managedPolicyArns, ...customerArns].sort());
  });

  it('attaches a customer policy only once it exists', async () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' }, integration: { resourceCollection: true } });
    const desired = desiredRole(config, 'aws', { standard: ['ec2:Describe*'], resourceCollection: ['s3:GetBucketPolicy'], source: 'datadog' });
    const order: string[] = [];
    iam.on(CreateRoleCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(CreatePolicyCommand).callsFake(async () => void order.push('CreatePolicy'));
    iam.on(AttachRolePolicyCommand).callsFake(async (input: { PolicyArn: string }) => void order.push(input.PolicyArn.includes(ACCOUNT.accountId) ? 'Attach customer' : 'Attach managed'));

    await createRole(client, desired, datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), ACCOUNT);

    expect(order).toContain('Attach customer');
    expect(order.indexOf('Attach customer')).toBeGreaterThan(order.indexOf('CreatePolicy'));
  });
});

describe('applyPermissions on an existing role', () => {
  it('still removes what is ours and not desired, and keeps what is not ours', async () => {
    const desired = desiredRole(makeConfig({ datadog: { apiVersion: 'v1' } }), 'aws');
    const [ourName] = Object.keys(desired.inlinePolicies);
    const staleOurs = 'DatadogIntegrationPolicy9';
    expect(desired.inlinePolicies).not.toHaveProperty(staleOurs);
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [ourName!, staleOurs, 'TheirPolicy'] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }] });
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
    iam.on(DetachRolePolicyCommand).resolves({});
    iam.on(AttachRolePolicyCommand).resolves({});

    await applyPermissions(client, desired, ACCOUNT);

    const deleted = iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input.PolicyName);
    expect(deleted).toEqual([staleOurs]);
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(1);
    const securityAuditWanted = desired.managedPolicyArns.includes('arn:aws:iam::aws:policy/SecurityAudit');
    expect(iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(securityAuditWanted ? 0 : 1);
  });
});
