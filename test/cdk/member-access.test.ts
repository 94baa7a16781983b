import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lambda/config/schema';
import { customerPolicyArn, resourceCollectionPolicyName } from '../../lambda/domain/ownership';
import { memberAccessStatements } from '../../lib/member-access-stackset';
import { ACCOUNT, actionsOf, allStatements, built, buildApp, evaluate, iamMatches, props, render, resources, resourcesOf, roleIdOf, type Json, type Statement } from './helpers';

/**
 * Member access: every sts:AssumeRole is bounded to our organization (aws:ResourceOrgID), the
 * Organizations reads are scoped to the organization's ARNs where IAM allows, and
 * role.memberAccessMode "dedicated" deploys, through a service-managed StackSet, a member role
 * that only the worker may assume and that allows exactly the IAM calls the product's code makes.
 */

const DEDICATED = { role: { memberAccessMode: 'dedicated' } };
const MEMBER = '222222222222';
const WORKER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/DatadogOrgIntegration-IntegrationWorkerRole-ABC`;

describe('sts:AssumeRole is bounded to our organization', () => {
  it.each([
    ['default', {}],
    ['Control Tower role', { role: { memberAccessRoleName: 'AWSControlTowerExecution' } }],
    ['dedicated', DEDICATED],
  ])('%s: every AssumeRole grant carries aws:ResourceOrgID = ${aws:PrincipalOrgID}', (_label, settings) => {
    const { template, config } = built(settings);
    const grants = allStatements(template).filter(({ statement }) => actionsOf(statement).some((a) => a.toLowerCase().startsWith('sts:')));
    expect(grants.length).toBe(1);
    for (const { statement } of grants) {
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
      });
      expect(resourcesOf(statement).map(render)).toEqual([`arn:\${AWS::Partition}:iam::*:role/${config.role.memberAccessRoleName}`]);
    }
  });
});

describe('Organizations reads', () => {
  const accounts = 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:account/o-*/*';
  const ous = 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:ou/o-*/ou-*';

  function organizationsGrants(fn: 'worker' | 'reconcile'): Array<[string[], string[]]> {
    const b = built();
    const roleId = roleIdOf(b.stack.integration[fn]);
    return allStatements(b.template)
      .filter(({ roleId: id, statement }) => id === roleId && actionsOf(statement).some((a) => a.startsWith('organizations:')))
      .map(({ statement }) => [actionsOf(statement).sort(), resourcesOf(statement).map(render)]);
  }

  it('the worker: DescribeOrganization on "*" (no resource type), the account reads on the organization\'s account ARNs, ListParents also on its OUs', () => {
    expect(organizationsGrants('worker')).toEqual([
      [['organizations:DescribeOrganization'], ['*']],
      [['organizations:DescribeAccount', 'organizations:ListParents', 'organizations:ListTagsForResource'], [accounts]],
      [['organizations:ListParents'], [ous]],
    ]);
  });

  it('reconcile: the walk\'s listings on "*", account tags on the account ARNs', () => {
    expect(organizationsGrants('reconcile')).toEqual([
      [['organizations:DescribeOrganization', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent', 'organizations:ListRoots'], ['*']],
      [['organizations:ListTagsForResource'], [accounts]],
    ]);
  });

  it('the account ARN pattern covers a member account of any organization ID, in the management account only', () => {
    const pattern = accounts.replace('${AWS::Partition}', 'aws').replace('${AWS::AccountId}', ACCOUNT);
    expect(iamMatches(pattern, `arn:aws:organizations::${ACCOUNT}:account/o-a1b2c3d4e5/${MEMBER}`)).toBe(true);
    expect(iamMatches(pattern, `arn:aws:organizations::${MEMBER}:account/o-a1b2c3d4e5/${MEMBER}`)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// What the product's code calls in IAM, derived from its source

const LAMBDA_DIR = join(__dirname, '..', '..', 'lambda');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // Unit tests beside the modules (*.test.ts) send nothing to IAM.
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every IAM SDK command the Lambda code sends: imported from @aws-sdk/client-iam and constructed with `new`. */
function iamCommandsInCode(): string[] {
  const commands = new Set<string>();
  for (const file of sourceFiles(LAMBDA_DIR)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-iam'/g)) {
      for (const name of match[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
        if (name.endsWith('Command') && new RegExp(`new ${name}\\(`).test(text)) commands.add(name.slice(0, -'Command'.length));
      }
    }
  }
  return [...commands].sort();
}

/** Actions with no resource type in IAM: granted on "*", nothing else is. */
const RESOURCELESS = ['iam:ListPolicies'];

/** IAM authorizes some calls as more than one action: the product creates its role and policies with tags. */
const ALSO_AUTHORIZED_AS: Record<string, string[]> = { CreateRole: ['iam:TagRole'], CreatePolicy: ['iam:TagPolicy'] };

function actionsFor(command: string): string[] {
  return [`iam:${command}`, ...(ALSO_AUTHORIZED_AS[command] ?? [])];
}

/** The ARN a call acts on: the Datadog role, or one of its resource-collection policies. */
function resourceOf(command: string, accountId: string, roleName: string): string {
  const onPolicy = /Polic(y|ies)/.test(command) && !/Role/.test(command);
  return onPolicy ? customerPolicyArn('aws', accountId, resourceCollectionPolicyName(roleName, 0)) : `arn:aws:iam::${accountId}:role/${roleName}`;
}

type Context = Record<string, string>;

/** IAM's decision for identity-policy Allow statements (no Deny here): action, resource and the ArnLike/ArnEquals conditions. */
function allowed(statements: Statement[], action: string, resource: string, context: Context = {}): boolean {
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow' || !actionsOf(statement).includes(action)) return false;
    if (!resourcesOf(statement).some((pattern) => iamMatches(String(pattern), resource))) return false;
    return Object.entries((statement.Condition ?? {}) as Record<string, Record<string, string[]>>).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) => {
        const actual = context[key];
        if (actual === undefined) return false;
        if (operator === 'ArnLike') return values.some((v) => iamMatches(v, actual));
        if (operator === 'ArnEquals') return values.includes(actual);
        throw new Error(`operator ${operator} not evaluated by this test`);
      }),
    );
  });
}

/** The dedicated role's policy as IAM sees it in MEMBER (aws partition). */
function deployedStatements(statements: unknown, accountId = MEMBER): Statement[] {
  // The pure statements hold the ${...} placeholders that the template wraps in Fn::Sub.
  const substituted = JSON.parse(JSON.stringify(statements).replaceAll('${AWS::Partition}', 'aws').replaceAll('${AWS::AccountId}', accountId)) as unknown;
  return evaluate(substituted, { 'AWS::Partition': 'aws', 'AWS::AccountId': accountId }) as Statement[];
}

describe('the IAM calls of the code', () => {
  it('are found in lambda/ (the scan sees the calls of act/iam-role.ts and observe/role.ts)', () => {
    const commands = iamCommandsInCode();
    expect(commands).toEqual(expect.arrayContaining(['CreateRole', 'GetRole', 'PutRolePolicy', 'CreatePolicyVersion', 'ListAttachedRolePolicies']));
    expect(commands.length).toBeGreaterThanOrEqual(18);
  });
});

describe.each([
  ['the pure policy (lib/member-access-stackset.ts)', () => memberAccessStatements('DatadogIntegrationRole') as unknown as Statement[]],
  [
    'the policy in the StackSet template',
    () => {
      const template = JSON.parse(props(stackSetOf(DEDICATED)).TemplateBody as string) as Json;
      const role = props((template.Resources as Record<string, Json>).MemberAccessRole!);
      return ((role.Policies as Json[])[0]!.PolicyDocument as Json).Statement as Statement[];
    },
  ],
])('the dedicated member role: %s', (_label, statements) => {
  const policy = () => deployedStatements(statements());
  const roleName = 'DatadogIntegrationRole';

  it('allows every IAM call the code makes, on the Datadog role and its resource-collection policies', () => {
    for (const command of iamCommandsInCode()) {
      const context: Context = command === 'AttachRolePolicy' ? { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/SecurityAudit' } : {};
      for (const action of actionsFor(command)) {
        expect({ command, action, allowed: allowed(policy(), action, resourceOf(command, MEMBER, roleName), context) }).toEqual({ command, action, allowed: true });
      }
    }
    expect(allowed(policy(), 'iam:AttachRolePolicy', `arn:aws:iam::${MEMBER}:role/${roleName}`, { 'iam:PolicyARN': customerPolicyArn('aws', MEMBER, resourceCollectionPolicyName(roleName, 1)) })).toBe(true);
  });

  it('allows nothing else: no other action, no other role, no other policy, no attachment of any other policy', () => {
    const granted = [...new Set(policy().flatMap(actionsOf))].sort();
    expect(granted).toEqual([...new Set(iamCommandsInCode().flatMap(actionsFor))].sort());
    // The one action IAM authorizes on "*" only (a listing, no resource type); offboard --all lists our policies with it.
    expect(policy().filter((statement) => [statement.Resource].flat().includes('*')).flatMap(actionsOf)).toEqual(RESOURCELESS);
    for (const command of iamCommandsInCode()) {
      for (const action of actionsFor(command).filter((a) => !RESOURCELESS.includes(a))) {
        const context = { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/SecurityAudit' };
        expect(allowed(policy(), action, `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`, context)).toBe(false);
        expect(allowed(policy(), action, `arn:aws:iam::${MEMBER}:role/${roleName}Other`, context)).toBe(false);
        expect(allowed(policy(), action, `arn:aws:iam::${MEMBER}:policy/${roleName}-ResourceCollection1`, context)).toBe(false);
        expect(allowed(policy(), action, `arn:aws:iam::${MEMBER}:policy/datadog-aws-org-integration/OtherRole-ResourceCollection1`, context)).toBe(false);
        // Another account's resources: the policy names the account it is deployed in.
        expect(allowed(policy(), action, resourceOf(command, '333333333333', roleName), context)).toBe(false);
      }
    }
    for (const policyArn of ['arn:aws:iam::aws:policy/AdministratorAccess', `arn:aws:iam::${MEMBER}:policy/Anything`]) {
      expect(allowed(policy(), 'iam:AttachRolePolicy', `arn:aws:iam::${MEMBER}:role/${roleName}`, { 'iam:PolicyARN': policyArn })).toBe(false);
    }
    expect(allowed(policy(), 'iam:AttachRolePolicy', `arn:aws:iam::${MEMBER}:role/${roleName}`)).toBe(false);
    expect(granted.every((a) => a.startsWith('iam:') && !a.includes('*'))).toBe(true);
    expect(allowed(policy(), 'iam:ListRoles', '*')).toBe(false);
  });
});

function stackSetOf(settings: Json): Json {
  const found = Object.values(resources(built(settings).template, 'AWS::CloudFormation::StackSet'));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('role.memberAccessMode "dedicated": the StackSet', () => {
  it('is service-managed, deploys automatically to new accounts and removes the role from accounts that leave, in one region (IAM is global)', () => {
    expect(props(stackSetOf(DEDICATED))).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ Regions: [{ Ref: 'AWS::Region' }] }],
    });
  });

  it('targets the organization root, looked up at deploy time (ListRoots), when scope.includeOus is empty', () => {
    const { template } = built(DEDICATED);
    const [[lookupId, lookup]] = Object.entries(resources(template, 'Custom::AWS')) as [[string, Json]];
    expect(JSON.parse(props(lookup).Create as string)).toMatchObject({ service: 'Organizations', action: 'listRoots', outputPaths: ['Roots.0.Id'] });
    const targets = ((props(stackSetOf(DEDICATED)).StackInstancesGroup as Json[])[0]!.DeploymentTargets as Json).OrganizationalUnitIds;
    expect(targets).toEqual([{ 'Fn::GetAtt': [lookupId, 'Roots.0.Id'] }]);
  });

  it('targets scope.includeOus when set, and then needs no lookup', () => {
    const settings = { ...DEDICATED, scope: { includeOus: ['ou-abcd-11111111', 'ou-abcd-22222222'] } };
    const targets = ((props(stackSetOf(settings)).StackInstancesGroup as Json[])[0]!.DeploymentTargets as Json).OrganizationalUnitIds;
    expect(targets).toEqual(['ou-abcd-11111111', 'ou-abcd-22222222']);
    built(settings).template.resourceCountIs('Custom::AWS', 0);
  });

  it('creates the role named as the worker assumes it; only the worker role of the management account may assume it', () => {
    const { stack, config } = built(DEDICATED);
    const stackSet = props(stackSetOf(DEDICATED));
    const template = JSON.parse(stackSet.TemplateBody as string) as Json;
    const role = props((template.Resources as Record<string, Json>).MemberAccessRole!);
    expect(role.RoleName).toBe('DatadogOrgIntegrationMemberAccess');
    expect(config.role.memberAccessRoleName).toBe('DatadogOrgIntegrationMemberAccess');
    // The parameters the management stack passes: its own account, and the worker's role ARN.
    const workerArn = stack.resolve(stack.integration.worker.role!.roleArn) as unknown;
    expect(stackSet.Parameters).toEqual([
      { ParameterKey: 'ManagementAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
      // One role: CDK renders the comma-joined list as the ARN itself.
      { ParameterKey: 'TrustedRoleArns', ParameterValue: workerArn },
    ]);
    const trust = evaluate(role.AssumeRolePolicyDocument, {
      'AWS::Partition': 'aws',
      ManagementAccountId: ACCOUNT,
      TrustedRoleArns: WORKER_ROLE_ARN,
    }) as Json;
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: { ArnLike: { 'aws:PrincipalArn': WORKER_ROLE_ARN } },
      },
    ]);
    expect(role.Tags).toEqual([{ Key: 'managed-by', Value: 'datadog-aws-org-integration' }]);
  });

  it('role.operatorRoleArns are trusted beside the worker (the CLI runs as one of them); refused outside dedicated mode', () => {
    const operators = ['arn:aws:iam::111111111111:role/platform-admin', 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*'];
    const { stack } = built({ ...DEDICATED, role: { ...(DEDICATED.role as Json), operatorRoleArns: operators } });
    const stackSet = props(stackSetOf({ ...DEDICATED, role: { ...(DEDICATED.role as Json), operatorRoleArns: operators } }));
    const trusted = (stackSet.Parameters as Json[]).find((p) => p.ParameterKey === 'TrustedRoleArns')!.ParameterValue;
    // CloudFormation gets the worker's ARN and the operators' (CDK joins the literals).
    expect(trusted).toEqual({ 'Fn::Join': [',', [stack.resolve(stack.integration.worker.role!.roleArn), operators.join(',')]] });
    expect(() => parseConfig({ role: { operatorRoleArns: operators } })).toThrow(/role.operatorRoleArns: only the dedicated member role/);
    expect(() => parseConfig({ role: { memberAccessMode: 'dedicated', operatorRoleArns: ['platform-admin'] } })).toThrow(/role.operatorRoleArns.0: "platform-admin" is not an IAM role ARN/);
  });

  it('reconcile never assumes member roles, so it is not trusted (its role has no sts action)', () => {
    const { stack, template } = built(DEDICATED);
    const reconcileRole = roleIdOf(stack.integration.reconcile);
    const sts = allStatements(template).filter(({ roleId, statement }) => roleId === reconcileRole && actionsOf(statement).some((a) => a.startsWith('sts:')));
    expect(sts).toEqual([]);
  });

  it('the management account, where a service-managed StackSet never deploys, gets the same role from the stack when it is in scope', () => {
    const { template, stack } = built({ ...DEDICATED, scope: { includeManagementAccount: true } });
    const roles = Object.values(resources(template, 'AWS::IAM::Role')).map(props).filter((r) => r.RoleName === 'DatadogOrgIntegrationMemberAccess');
    expect(roles).toHaveLength(1);
    const statements = ((roles[0]!.Policies as Json[])[0]!.PolicyDocument as Json).Statement;
    expect(statements).toEqual(JSON.parse(JSON.stringify((JSON.parse(props(stackSetOf(DEDICATED)).TemplateBody as string) as Json).Resources))
      .MemberAccessRole.Properties.Policies[0].PolicyDocument.Statement);
    const trust = (roles[0]!.AssumeRolePolicyDocument as Json).Statement as Json[];
    expect(trust[0]!.Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': [stack.resolve(stack.integration.worker.role!.roleArn)] } });
    // Not in scope: not created.
    const withoutManagement = Object.values(resources(built(DEDICATED).template, 'AWS::IAM::Role')).map(props);
    expect(withoutManagement.filter((r) => r.RoleName === 'DatadogOrgIntegrationMemberAccess')).toEqual([]);
  });

  it('"existing" mode (the default) creates no StackSet and no lookup', () => {
    const { template } = built();
    template.resourceCountIs('AWS::CloudFormation::StackSet', 0);
    template.resourceCountIs('Custom::AWS', 0);
  });

  it.each([
    ['dedicated', DEDICATED],
    ['dedicated, scoped OUs, management account in scope', { ...DEDICATED, scope: { includeOus: ['ou-abcd-11111111'], includeManagementAccount: true } }],
  ])('has no cdk-nag findings (%s)', (_label, settings) => {
    const { app } = buildApp(settings);
    expect(new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('the root lookup has its own role (no managed policy) that may only ListRoots and write its own log group', () => {
    const { template } = built(DEDICATED);
    const [lookup] = Object.values(resources(template, 'Custom::AWS'));
    const functionId = ((props(lookup!).ServiceToken as Json)['Fn::GetAtt'] as string[])[0]!;
    const roleId = ((props(resources(template, 'AWS::Lambda::Function')[functionId]!).Role as Json)['Fn::GetAtt'] as string[])[0]!;
    expect(props(resources(template, 'AWS::IAM::Role')[roleId]!).ManagedPolicyArns).toBeUndefined();
    const actions = allStatements(template).filter((s) => s.roleId === roleId).flatMap((s) => actionsOf(s.statement)).sort();
    expect(actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'organizations:ListRoots']);
  });
});
