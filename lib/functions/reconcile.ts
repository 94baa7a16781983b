import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { anyOccurrenceAlarm, emittedCount } from '../alarms';
import { errorsAlarm, functionProps, type OrganizationFunctionProps } from './lambda-function';
import { ORGANIZATION_ACCOUNTS_ARN, ORGANIZATION_ACCOUNTS_FINDING } from './organization-arns';

/** Longer than one reconcile (15 minutes at most), so a trigger that waits for a running one still runs. */
export const RECONCILE_MAX_EVENT_AGE = Duration.minutes(30);

/**
 * The IAM actions of the AWS calls lambda/handlers/reconcile.ts sends with this function's role
 * (test/cdk/function-permissions.test.ts holds them against the code and the policy).
 */
export const RECONCILE_SENDS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListTagsForResource',
  'secretsmanager:GetSecretValue',
  'sqs:SendMessage',
] as const;

/** What the org-wide walk calls (lambda/observe/organization-walk.ts) that IAM grants only on "*". */
const ORGANIZATIONS_WALK = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
];
/** The walk's account reads: on the organization's account ARNs. */
const ORGANIZATIONS_WALK_ACCOUNT_READS = ['organizations:ListTagsForResource'];

export type ReconcileFunctionProps = OrganizationFunctionProps;

/** Plans the whole organization and enqueues the accounts that need work (lambda/handlers/reconcile.ts). Created in `scope` as Reconcile. */
export class ReconcileFunction extends NodejsFunction {
  readonly errorsAlarm: Alarm;
  readonly deletionGuardAlarm: Alarm;

  constructor(scope: Construct, props: ReconcileFunctionProps) {
    super(
      scope,
      'Reconcile',
      functionProps(scope, 'Reconcile', path.join(props.handlersDir, 'reconcile.ts'), props.config.deployment.logRetentionDays as RetentionDays, {
        description: 'Scheduled: plans the whole organization and enqueues the accounts that need work',
        // Lambda's limit: tag reads stop two minutes before it, and what is left goes to the worker.
        timeout: Duration.minutes(15),
        memorySize: 512,
        environment: props.environment,
        // One reconcile at a time (schedule, join events, keys stored, a manual invoke).
        reservedConcurrentExecutions: 1,
      }),
    );
    // A trigger throttled behind a running reconcile is retried by Lambda: it runs after that one if it
    // can start within RECONCILE_MAX_EVENT_AGE, else it is dropped (the next run covers it). A failed run is not rerun.
    this.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: RECONCILE_MAX_EVENT_AGE });
    props.queue.grantSendMessages(this);
    props.keys.grantRead(this);
    this.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_WALK, resources: ['*'] }));
    this.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_WALK_ACCOUNT_READS, resources: [ORGANIZATION_ACCOUNTS_ARN] }));
    const role = Validations.of(this.role!);
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'organizations:DescribeOrganization and organizations:ListRoots take "*" only; ListOrganizationalUnitsForParent and ListAccountsForParent are called on every root and OU of the organization, found at run time.',
    });
    role.acknowledge(ORGANIZATION_ACCOUNTS_FINDING);

    if (props.config.deployment.reconcileSchedule !== 'disabled') {
      new Rule(scope, 'ReconcileSchedule', {
        description: 'Starts the org-wide reconcile',
        schedule: Schedule.expression(props.config.deployment.reconcileSchedule),
        targets: [new LambdaFunction(this, { retryAttempts: 2 })],
      });
    }

    this.errorsAlarm = errorsAlarm(scope, this, props.alarmActions);
    this.deletionGuardAlarm = anyOccurrenceAlarm(
      scope,
      'DeletionGuardAlarm',
      emittedCount('DeletionGuardTripped', 'reconcile'),
      'The reconciler planned more deletions than allowed and deleted none: check the organization listing, then run dd-aws-org plan / apply --max-deletions',
      props.alarmActions,
    );
  }
}
