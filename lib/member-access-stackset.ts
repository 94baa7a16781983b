import { Aws, CfnResource, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import { MANAGED_BY_TAG } from '../lambda/domain/ownership';
import { CUSTOMER_POLICY_PATH } from '../lambda/domain/ownership';

/**
 * role.memberAccessMode "dedicated": instead of assuming an administrator role
 * (OrganizationAccountAccessRole), the worker assumes a role this construct creates in every
 * member account through a service-managed StackSet. That role may only touch the Datadog
 * role and the product's customer managed policies, and only the worker may assume it.
 */

/** One IAM statement; resources may hold ${AWS::Partition} and ${AWS::AccountId}, resolved in the account it lands in. */
export interface MemberAccessStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string[]>>;
}

/**
 * Exactly the IAM calls lambda/act/iam-role.ts and lambda/observe/role.ts make, on the Datadog
 * role (by name) and its resource-collection policies (by path and name). CreateRole and
 * CreatePolicy pass tags, which IAM authorizes as iam:TagRole and iam:TagPolicy.
 */
export function memberAccessStatements(datadogRoleName: string): MemberAccessStatement[] {
  const role = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${datadogRoleName}`;
  const customerPolicies = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy${CUSTOMER_POLICY_PATH}${datadogRoleName}-ResourceCollection*`;
  return [
    {
      Sid: 'DatadogRole',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:PutRolePolicy',
        'iam:TagRole',
        'iam:UpdateAssumeRolePolicy',
      ],
      Resource: [role],
    },
    {
      // Only SecurityAudit (CSPM) and our own resource-collection policies are ever attached.
      Sid: 'AttachOnlyOurPolicies',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy'],
      Resource: [role],
      Condition: { ArnLike: { 'iam:PolicyARN': ['arn:${AWS::Partition}:iam::aws:policy/SecurityAudit', customerPolicies] } },
    },
    {
      Sid: 'ResourceCollectionPolicies',
      Effect: 'Allow',
      Action: [
        'iam:CreatePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:ListPolicyVersions',
        'iam:TagPolicy',
      ],
      Resource: [customerPolicies],
    },
    {
      // offboard --all finds our policies by path (IAM's ListPolicies has no resource type: "*" only).
      Sid: 'ListPoliciesByPath',
      Effect: 'Allow',
      Action: ['iam:ListPolicies'],
      Resource: ['*'],
    },
  ];
}

const sub = (value: string) => ({ 'Fn::Sub': value });

/** The dedicated role's CloudFormation properties; the trust names the management account and the roles allowed in. */
export function memberAccessRoleProperties(config: Config, managementAccountId: unknown, trustedRoleArns: unknown): Record<string, unknown> {
  return {
    RoleName: config.role.memberAccessRoleName,
    Description: 'Lets datadog-aws-org-integration manage the Datadog integration role of this account, and nothing else',
    MaxSessionDuration: 3600,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          // The account root plus aws:PrincipalArn: a principal naming the role itself would turn into an
          // unusable ID if that role were ever replaced.
          Principal: { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${Account}:root', { Account: managementAccountId }] } },
          Action: 'sts:AssumeRole',
          // ArnLike: operator roles (role.operatorRoleArns) may hold wildcards, as SSO role names are generated.
          Condition: { ArnLike: { 'aws:PrincipalArn': trustedRoleArns } },
        },
      ],
    },
    Policies: [
      {
        PolicyName: 'ManageDatadogIntegrationRole',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: memberAccessStatements(config.role.name).map((statement) => ({
            ...statement,
            Resource: statement.Resource.map(sub),
            ...(statement.Condition && {
              Condition: Object.fromEntries(
                Object.entries(statement.Condition).map(([operator, keys]) => [
                  operator,
                  Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, values.map(sub)])),
                ]),
              ),
            }),
          })),
        },
      },
    ],
    Tags: [{ Key: MANAGED_BY_TAG.key, Value: MANAGED_BY_TAG.value }],
  };
}

/** The template each member account receives. */
export function memberAccessTemplate(config: Config): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'datadog-aws-org-integration: least-privilege member access role',
    Parameters: {
      ManagementAccountId: { Type: 'String', AllowedPattern: '^\\d{12}$' },
      TrustedRoleArns: { Type: 'CommaDelimitedList', Description: 'The product roles in the management account that may assume this role' },
    },
    Resources: {
      MemberAccessRole: { Type: 'AWS::IAM::Role', Properties: memberAccessRoleProperties(config, { Ref: 'ManagementAccountId' }, { Ref: 'TrustedRoleArns' }) },
    },
  };
}

export interface MemberAccessStackSetProps {
  readonly config: Config;
  /** The product's roles that may assume the member access role: the worker's (reconcile never assumes member roles); role.operatorRoleArns are added. */
  readonly trustedRoles: IRole[];
}

export class MemberAccessStackSet extends Construct {
  readonly stackSet: CfnStackSet;
  /** The same role in the management account, where a service-managed StackSet never deploys. */
  readonly managementAccountRole?: CfnResource;

  constructor(scope: Construct, id: string, props: MemberAccessStackSetProps) {
    super(scope, id);
    const { config } = props;
    // The worker, then the operators' roles: the CLI (converge, apply, offboard --all) runs as one of them.
    const trustedRoleArns = [...props.trustedRoles.map((role) => role.roleArn), ...config.role.operatorRoleArns];
    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: `${Stack.of(this).stackName}-member-access`,
      description: 'datadog-aws-org-integration: the least-privilege member access role, in every member account',
      permissionModel: 'SERVICE_MANAGED',
      callAs: 'SELF',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      // An account that refuses the role (an SCP, say) must not roll the whole stack back: it stays "retry later" and alarms from the DLQ.
      operationPreferences: { failureTolerancePercentage: 100, maxConcurrentPercentage: 100, regionConcurrencyType: 'PARALLEL' },
      parameters: [
        { parameterKey: 'ManagementAccountId', parameterValue: Aws.ACCOUNT_ID },
        { parameterKey: 'TrustedRoleArns', parameterValue: Fn.join(',', trustedRoleArns) },
      ],
      // IAM is global: one region is enough.
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: this.targets(config) }, regions: [Aws.REGION] }],
      templateBody: JSON.stringify(memberAccessTemplate(config)),
    });
    if (config.scope.includeManagementAccount) {
      this.managementAccountRole = new CfnResource(this, 'ManagementAccountRole', {
        type: 'AWS::IAM::Role',
        properties: memberAccessRoleProperties(config, Aws.ACCOUNT_ID, trustedRoleArns),
      });
    }
  }

  /** scope.includeOus when set; otherwise the organization's root, looked up at deploy time. */
  private targets(config: Config): string[] {
    if (config.scope.includeOus.length > 0) return config.scope.includeOus;
    const lookupRole = new Role(this, 'RootLookupRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Looks up the organization root for the member access StackSet (datadog-aws-org-integration)',
    });
    const logGroup = new LogGroup(this, 'RootLookupLogs', { retention: config.deployment.logRetentionDays as RetentionDays, removalPolicy: RemovalPolicy.DESTROY });
    const root = new AwsCustomResource(this, 'OrganizationRoot', {
      onUpdate: {
        service: 'Organizations',
        action: 'listRoots',
        physicalResourceId: PhysicalResourceId.of('organization-root'),
        outputPaths: ['Roots.0.Id'],
      },
      policy: AwsCustomResourcePolicy.fromStatements([new PolicyStatement({ actions: ['organizations:ListRoots'], resources: ['*'] })]),
      installLatestAwsSdk: false,
      // Its own role and log group, as the product's functions: no managed policy, logs only to its group.
      role: lookupRole,
      logGroup,
    });
    logGroup.grantWrite(lookupRole);
    Validations.of(this).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'organizations:ListRoots has no resource type in IAM: it takes "*" only.' });
    return [root.getResponseField('Roots.0.Id')];
  }
}
