/** readRole against a mocked IAM client: the role, its policy lists and our usual policy are asked side by side. */
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { readRole } from './role';

const ROLE = 'DatadogIntegrationRole';
const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });
const noSuchEntity = () => new NoSuchEntityException({ message: `The role with name ${ROLE} cannot be found.`, $metadata: {} });
const document = (action: string) => encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] }));

beforeEach(() => iam.reset());

describe('readRole', () => {
  it('asks for the role and both policy lists before any answer comes', async () => {
    const asked: string[] = [];
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const hold = (name: string, value: unknown) => async () => {
      asked.push(name);
      await held;
      return value;
    };
    iam.on(GetRoleCommand).callsFake(hold('GetRole', { Role: { RoleName: ROLE, Tags: [{ Key: 'managed-by', Value: 'us' }] } }));
    iam.on(ListRolePoliciesCommand).callsFake(hold('ListRolePolicies', { PolicyNames: ['DatadogIntegrationPolicy', 'TheirPolicy'] }));
    iam.on(ListAttachedRolePoliciesCommand).callsFake(hold('ListAttachedRolePolicies', { AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit' }] }));
    iam.on(GetRolePolicyCommand, { PolicyName: 'DatadogIntegrationPolicy' }).resolves({ PolicyDocument: document('ec2:Describe*') });

    const reading = readRole(client, ROLE);
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(asked.sort()).toEqual(['GetRole', 'ListAttachedRolePolicies', 'ListRolePolicies']);
    // Our usual policy too, before its name is listed.
    expect(iam.commandCalls(GetRolePolicyCommand)).toHaveLength(1);
    answer();

    const observed = await reading;
    expect(observed).toMatchObject({
      kind: 'present',
      role: { roleName: ROLE, tags: { 'managed-by': 'us' }, attachedPolicyArns: ['arn:aws:iam::aws:policy/SecurityAudit'], inlinePolicies: { TheirPolicy: undefined } },
    });
    // Only our inline policy's document is read.
    expect(iam.commandCalls(GetRolePolicyCommand).map((c) => c.args[0].input.PolicyName)).toEqual(['DatadogIntegrationPolicy']);
  });

  it('a role without our usual policy: that read is ignored, the listed ones of ours are read', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: ROLE } as never });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['DatadogIntegrationPolicy1', 'DatadogIntegrationPolicy2'] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    iam.on(GetRolePolicyCommand, { PolicyName: 'DatadogIntegrationPolicy' }).rejects(noSuchEntity());
    iam.on(GetRolePolicyCommand, { PolicyName: 'DatadogIntegrationPolicy1' }).resolves({ PolicyDocument: document('ec2:Describe*') });
    iam.on(GetRolePolicyCommand, { PolicyName: 'DatadogIntegrationPolicy2' }).resolves({ PolicyDocument: document('s3:GetBucketTagging') });
    const observed = await readRole(client, ROLE);
    expect(observed.kind === 'present' && Object.keys(observed.role.inlinePolicies).sort()).toEqual(['DatadogIntegrationPolicy1', 'DatadogIntegrationPolicy2']);
  });

  it('a missing role is absent, though its lists failed too', async () => {
    iam.on(GetRoleCommand).rejects(noSuchEntity());
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(ListRolePoliciesCommand).rejects(noSuchEntity());
    iam.on(ListAttachedRolePoliciesCommand).rejects(noSuchEntity());
    await expect(readRole(client, ROLE)).resolves.toEqual({ kind: 'absent' });
  });

  it("GetRole's other errors are the read's error", async () => {
    iam.on(GetRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    await expect(readRole(client, ROLE)).rejects.toThrow('Rate exceeded');
  });

  it("a list's error is the read's error when the role exists", async () => {
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: ROLE } as never });
    iam.on(ListRolePoliciesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    await expect(readRole(client, ROLE)).rejects.toThrow('Rate exceeded');
  });
});
