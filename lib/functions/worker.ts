import * as path from 'node:path';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { anyOccurrenceAlarm, emittedCount } from '../alarms';
import { errorsAlarm, functionProps, type OrganizationFunctionProps } from './lambda-function';
import { ORGANIZATION_ACCOUNTS_ARN, ORGANIZATION_ACCOUNTS_FINDING, ORGANIZATION_OUS_ARN } from './organization-arns';

export const WORKER_TIMEOUT = Duration.minutes(2);
/** Messages per invocation of the worker (the SQS event source's batch size). */
export const WORKER_BATCH_SIZE = 10;

/**
 * The SQS event source's maximum concurrency for a worker concurrency: the same number, or none
 * below AWS's minimum of 2 (then reserved concurrency alone caps the worker).
 */
export function eventSourceMaxConcurrency(workerConcurrency: number): number | undefined {
  return workerConcurrency >= 2 ? workerConcurrency : undefined;
}

/**
 * The IAM actions of the AWS calls lambda/handlers/worker.ts sends with this function's role
 * (test/cdk/function-permissions.test.ts holds them against the code and the policy). Its IAM
 * calls go with the member access role's credentials (member-access.test.ts checks those).
 */
export const WORKER_SENDS = [
  'organizations:DescribeOrganization',
  'organizations:DescribeAccount',
  'organizations:ListParents',
  'organizations:ListTagsForResource',
  'secretsmanager:GetSecretValue',
  'sqs:ChangeMessageVisibility',
  'sts:AssumeRole',
] as const;

/** What converging one account reads (lambda/observe/organizations.ts) on the organization's account ARNs; ListParents also on its OUs, walking up. */
const ORGANIZATIONS_ACCOUNT_READS = ['organizations:DescribeAccount', 'organizations:ListParents', 'organizations:ListTagsForResource'];

/**
 * Every sts:AssumeRole is bounded to roles of our own organization. The worker runs in the
 * management account, which is in the organization, so its aws:PrincipalOrgID is our
 * organization's ID: no configuration needed, and the bound follows the organization.
 */
const IN_OUR_ORGANIZATION = { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } };

export type WorkerFunctionProps = OrganizationFunctionProps;

/** Converges one account per message: Datadog integration and IAM role (lambda/handlers/worker.ts). Created in `scope` as Worker. */
export class WorkerFunction extends NodejsFunction {
  readonly errorsAlarm: Alarm;
  readonly accountFailuresAlarm: Alarm;

  constructor(scope: Construct, props: WorkerFunctionProps) {
    const { config } = props;
    const concurrency = config.deployment.workerConcurrency;
    super(
      scope,
      'Worker',
      functionProps(scope, 'Worker', path.join(props.handlersDir, 'worker.ts'), config.deployment.logRetentionDays as RetentionDays, {
        description: 'Converges one account per message: Datadog integration and IAM role',
        timeout: WORKER_TIMEOUT,
        memorySize: 512,
        environment: props.environment,
        reservedConcurrentExecutions: concurrency,
      }),
    );
    // The event source's own cap keeps throttled batches from counting as receives; AWS's minimum is 2,
    // so a concurrency of 1 (serialised Datadog writes) relies on reserved concurrency alone.
    const maxConcurrency = eventSourceMaxConcurrency(concurrency);
    this.addEventSource(new SqsEventSource(props.queue, { batchSize: WORKER_BATCH_SIZE, reportBatchItemFailures: true, ...(maxConcurrency && { maxConcurrency }) }));
    props.keys.grantRead(this);
    this.addToRolePolicy(new PolicyStatement({ actions: ['organizations:DescribeOrganization'], resources: ['*'] }));
    this.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_ACCOUNT_READS, resources: [ORGANIZATION_ACCOUNTS_ARN] }));
    this.addToRolePolicy(new PolicyStatement({ actions: ['organizations:ListParents'], resources: [ORGANIZATION_OUS_ARN] }));
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.role.memberAccessRoleName}`],
        conditions: IN_OUR_ORGANIZATION,
      }),
    );
    this.acknowledgeFindings(config.role.memberAccessRoleName);

    this.errorsAlarm = errorsAlarm(scope, this, props.alarmActions);
    this.accountFailuresAlarm = anyOccurrenceAlarm(
      scope,
      'AccountFailuresAlarm',
      emittedCount('AccountFailed', 'worker'),
      'An account could not be converged (wrong Datadog keys, missing member access role, ...): see the worker logs',
      props.alarmActions,
    );
  }

  private acknowledgeFindings(memberAccessRoleName: string): void {
    const role = Validations.of(this.role!);
    role.acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'organizations:DescribeOrganization has no resource type in IAM: it takes "*" only.' });
    role.acknowledge(ORGANIZATION_ACCOUNTS_FINDING);
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:ou/o-*/ou-*]',
      reason: 'organizations:ListParents walks up from an account through its OUs to the root: any OU of the organization.',
    });
    role.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberAccessRoleName}]`,
      reason:
        'The worker assumes the member access role in whichever member account it converges: the account is the only part left open, the role name is fixed, and aws:ResourceOrgID bounds it to our organization.',
    });
  }
}
