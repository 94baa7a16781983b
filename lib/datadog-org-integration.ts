import * as path from 'node:path';
import { Annotations, Aws, CfnOutput, CfnRule, Duration, Fn, RemovalPolicy, SecretValue, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type Dashboard, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import { CONFIG_ENVIRONMENT_VARIABLE, QUEUE_URL_VARIABLE } from '../lambda/handlers/environment';
import { METRICS_NAMESPACE } from '../lambda/report/telemetry';
import { PLACEHOLDER_KEYS } from '../lambda/datadog/credentials';
import { IntegrationDashboard } from './dashboard';
import { controlTowerPatterns, organizationsPatterns, type NamedPattern } from './event-rules';
import { handlerCode } from './handler-code';
import { reconcileWhenKeysStored } from './keys-stored';
import { MemberAccessStackSet } from './member-access-stackset';
import { PublishedConfig } from './published-config';

export interface DatadogOrgIntegrationProps {
  /** Validated configuration (see parseConfig / configFromContext). */
  readonly config: Config;
  /** Where the handlers' TypeScript lives, to bundle it at synth; defaults to lambda/handlers here, or the package's prebuilt bundles when installed. */
  readonly handlersDir?: string;
}

/**
 * The secret created when the configuration names none is named this plus "-" and the first
 * part of the stack's ID: a stack deployed again after `cdk destroy` gets a new name, so the
 * retained old secret (and Secrets Manager's recovery window on a deleted one) never blocks it.
 */
export const CREATED_SECRET_NAME_PREFIX = 'datadog-aws-org-integration/datadog-keys';

/** Organizations delivers its events to EventBridge in us-east-1 only. */
export const ORGANIZATIONS_EVENTS_REGION = 'us-east-1';

const WORKER_TIMEOUT = Duration.minutes(2);
/** Longer than one reconcile (15 minutes at most), so a trigger that waits for a running one still runs. */
export const RECONCILE_MAX_EVENT_AGE = Duration.minutes(30);
/** What the org-wide walk calls (lambda/observe/organization-walk.ts) that IAM grants only on "*". */
const ORGANIZATIONS_WALK = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
];
/** The walk's account reads: on the organization's account ARNs. */
const ORGANIZATIONS_WALK_ACCOUNT_READS = ['organizations:ListTagsForResource'];
/** What converging one account calls (lambda/observe/organizations.ts): DescribeOrganization takes "*", the rest name accounts (ListParents also OUs, walking up). */
const ORGANIZATIONS_ACCOUNT_READS = ['organizations:DescribeAccount', 'organizations:ListParents', 'organizations:ListTagsForResource'];
/** Organizations ARNs name the management account (this stack's) and the organization ID, unknown at synth. */
const ORGANIZATION_ACCOUNTS_ARN = `arn:${Aws.PARTITION}:organizations::${Aws.ACCOUNT_ID}:account/o-*/*`;
const ORGANIZATION_OUS_ARN = `arn:${Aws.PARTITION}:organizations::${Aws.ACCOUNT_ID}:ou/o-*/ou-*`;
/**
 * Every sts:AssumeRole is bounded to roles of our own organization. The worker runs in the
 * management account, which is in the organization, so its aws:PrincipalOrgID is our
 * organization's ID: no configuration needed, and the bound follows the organization.
 */
const IN_OUR_ORGANIZATION = { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } };

/**
 * Everything that keeps an AWS Organization integrated with Datadog, event-driven:
 * EventBridge rules -> intake -> SQS FIFO (group = account) -> worker -> Datadog + IAM,
 * and a schedule -> reconcile -> the same queue.
 */
export class DatadogOrgIntegration extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly secret: ISecret;
  private readonly secretImported: boolean;
  readonly intake: NodejsFunction;
  readonly worker: NodejsFunction;
  readonly reconcile: NodejsFunction;
  readonly alarms: Alarm[] = [];
  /** role.memberAccessMode "dedicated": the StackSet that creates the member access role. */
  readonly memberAccess?: MemberAccessStackSet;
  readonly dashboard: Dashboard;
  private readonly eventDeadLetterQueues: Queue[] = [];

  constructor(scope: Construct, id: string, props: DatadogOrgIntegrationProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    assertOrganizationsRegion(this, stack.region);
    const handlersDir = props.handlersDir ?? path.join(__dirname, '..', 'lambda', 'handlers');

    this.secretImported = Boolean(config.datadog.credentialsSecretId);
    this.secret = this.credentialsSecret(config);
    const lambdaConfig: Config = { ...config, datadog: { ...config.datadog, credentialsSecretId: this.secret.secretArn } };
    new PublishedConfig(this, 'PublishedConfig', { config: lambdaConfig });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'AccountQueue', {
      fifo: true,
      contentBasedDeduplication: false,
      // AWS's advice for Lambda event sources: at least six times the function's timeout.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: config.deployment.maxReceiveCount },
    });

    const environment = {
      [CONFIG_ENVIRONMENT_VARIABLE]: Stack.of(this).toJsonString(lambdaConfig),
      [QUEUE_URL_VARIABLE]: this.queue.queueUrl,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const retention = config.deployment.logRetentionDays as RetentionDays;

    this.intake = this.handler('Intake', path.join(handlersDir, 'intake.ts'), retention, {
      description: 'Validates Organizations and Control Tower events and enqueues one message per account',
      timeout: Duration.seconds(30),
      environment: { [QUEUE_URL_VARIABLE]: this.queue.queueUrl, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
    });
    this.queue.grantSendMessages(this.intake);

    this.worker = this.handler('Worker', path.join(handlersDir, 'worker.ts'), retention, {
      description: 'Converges one account per message: Datadog integration and IAM role',
      timeout: WORKER_TIMEOUT,
      memorySize: 512,
      environment,
      reservedConcurrentExecutions: config.deployment.workerConcurrency,
    });
    // The event source's own cap keeps throttled batches from counting as receives; AWS's minimum is 2,
    // so a concurrency of 1 (serialised Datadog writes) relies on reserved concurrency alone.
    const concurrency = config.deployment.workerConcurrency;
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, ...(concurrency >= 2 && { maxConcurrency: concurrency }) }),
    );
    this.allowConvergence(this.worker, config);

    this.reconcile = this.handler('Reconcile', path.join(handlersDir, 'reconcile.ts'), retention, {
      description: 'Scheduled: plans the whole organization and enqueues the accounts that need work',
      // Lambda's limit: tag reads stop two minutes before it, and what is left goes to the worker.
      timeout: Duration.minutes(15),
      memorySize: 512,
      environment,
      // One reconcile at a time (schedule, join events, keys stored, a manual invoke).
      reservedConcurrentExecutions: 1,
    });
    // A trigger throttled behind a running reconcile is retried by Lambda: it runs after that one if it
    // can start within RECONCILE_MAX_EVENT_AGE, else it is dropped (the next run covers it). A failed run is not rerun.
    this.reconcile.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: RECONCILE_MAX_EVENT_AGE });
    this.queue.grantSendMessages(this.reconcile);
    this.allowSecretRead(this.reconcile);
    this.reconcile.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_WALK, resources: ['*'] }));
    this.reconcile.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_WALK_ACCOUNT_READS, resources: [ORGANIZATION_ACCOUNTS_ARN] }));
    if (config.role.memberAccessMode === 'dedicated') {
      this.memberAccess = new MemberAccessStackSet(this, 'MemberAccess', { config, trustedRoles: [this.worker.role!] });
    }
    reconcileWhenKeysStored(this, this.secret, this.reconcile);

    this.eventRules(organizationsPatterns(), 'Organizations');
    if (config.deployment.controlTower.enabled) this.eventRules(controlTowerPatterns(), 'ControlTower');
    if (config.deployment.reconcileSchedule !== 'disabled') {
      new Rule(this, 'ReconcileSchedule', {
        description: 'Starts the org-wide reconcile',
        schedule: Schedule.expression(config.deployment.reconcileSchedule),
        targets: [new LambdaFunction(this.reconcile, { retryAttempts: 2 })],
      });
    }

    this.createAlarms(config);
    this.dashboard = new IntegrationDashboard(this, 'Dashboard', {
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      eventDeadLetterQueues: this.eventDeadLetterQueues,
    }).dashboard;
    this.acknowledgeFindings(config);

    new CfnOutput(this, 'QueueUrl', { value: this.queue.queueUrl, description: 'Per-account work queue (FIFO)' });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl, description: 'Messages that kept failing' });
    new CfnOutput(this, 'WorkerLogGroup', { value: this.worker.logGroup.logGroupName, description: 'One JSON line per converged account' });
  }

  private credentialsSecret(config: Config): ISecret {
    const id = config.datadog.credentialsSecretId;
    if (id) {
      // A complete ARN cannot be told from a partial one whose name ends in "-" + 6 characters,
      // so every imported secret is granted as partial: its ARN and its ARN with the suffix.
      return id.startsWith('arn:') ? Secret.fromSecretPartialArn(this, 'DatadogKeys', id) : Secret.fromSecretNameV2(this, 'DatadogKeys', id);
    }
    // Created with empty keys: the operator writes the real ones; they never pass through CloudFormation.
    // Retained on destroy (it holds keys someone wrote by hand); README "Uninstall" says how to delete it.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const secretName = `${CREATED_SECRET_NAME_PREFIX}-${Fn.select(0, Fn.split('-', stackUuid))}`;
    const secret = new Secret(this, 'DatadogKeys', {
      secretName,
      description: `Datadog API and application keys. Fill with: aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string '{"apiKey":"...","appKey":"..."}'`,
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(PLACEHOLDER_KEYS)),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Datadog issues these keys; they are rotated in Datadog and written here by the operator, so Secrets Manager cannot rotate them.',
    });
    new CfnOutput(this, 'DatadogKeysSecretName', {
      value: secretName,
      description: 'Write {"apiKey":"...","appKey":"..."} into this secret before the first run',
    });
    return secret;
  }

  /** A function with its own role and log group: no managed policies, logs only to its group. */
  private handler(
    id: string,
    entry: string,
    retention: RetentionDays,
    options: Pick<ConstructorParameters<typeof NodejsFunction>[2] & object, 'description' | 'timeout' | 'memorySize' | 'environment' | 'reservedConcurrentExecutions'>,
  ): NodejsFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${id} function of datadog-aws-org-integration`,
    });
    const fn = new NodejsFunction(this, id, {
      ...handlerCode(entry),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      role,
      logGroup,
      ...options,
      environment: { POWERTOOLS_SERVICE_NAME: id.toLowerCase(), ...options.environment },
    });
    logGroup.grantWrite(role);
    return fn;
  }

  private allowSecretRead(fn: IFunction): void {
    // An imported secret is known by name or partial ARN; its real ARN adds Secrets Manager's 6-character suffix.
    const resources = this.secretImported ? [this.secret.secretArn, `${this.secret.secretArn}-??????`] : [this.secret.secretArn];
    fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources }));
  }

  /** What converging an account needs: Organizations reads, the member access role, the Datadog keys. */
  private allowConvergence(fn: IFunction, config: Config): void {
    this.allowSecretRead(fn);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['organizations:DescribeOrganization'], resources: ['*'] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_ACCOUNT_READS, resources: [ORGANIZATION_ACCOUNTS_ARN] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['organizations:ListParents'], resources: [ORGANIZATION_OUS_ARN] }));
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.role.memberAccessRoleName}`],
        conditions: IN_OUR_ORGANIZATION,
      }),
    );
  }

  private eventRules(patterns: NamedPattern[], group: string): void {
    const eventsDeadLetterQueue = new Queue(this, `${group}EventsDeadLetterQueue`, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.markAsDeadLetterQueue(eventsDeadLetterQueue);
    this.eventDeadLetterQueues.push(eventsDeadLetterQueue);
    for (const { id, description, pattern } of patterns) {
      const targets = [new LambdaFunction(this.intake, { retryAttempts: 8, deadLetterQueue: eventsDeadLetterQueue })];
      // No verified sample names the joining account: reconcile the organization as well, so it is found now, not at the next schedule.
      if (id.endsWith('AccountJoinedOrganization')) targets.push(new LambdaFunction(this.reconcile, { retryAttempts: 2, deadLetterQueue: eventsDeadLetterQueue }));
      new Rule(this, `${id}Rule`, { description, eventPattern: pattern, targets });
    }
  }

  private createAlarms(config: Config): void {
    const actions: IAlarmAction[] = [];
    if (config.deployment.alarmEmail) {
      // It only protects alarm messages in flight, nothing to decrypt later: deleted with the stack (after 7 days' wait).
      const key = new Key(this, 'AlarmTopicKey', {
        enableKeyRotation: true,
        description: 'Encrypts the alarm topic',
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      const topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: 'Datadog AWS org integration alarms' });
      // The topic's policy replaces SNS's default one: without this statement CloudWatch may not publish at all.
      topic.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
          },
        }),
      );
      topic.addSubscription(new EmailSubscription(config.deployment.alarmEmail));
      actions.push(new SnsAction(topic));
    }
    if (config.deployment.alarmTopicArn) {
      actions.push(new SnsAction(Topic.fromTopicArn(this, 'ExistingAlarmTopic', config.deployment.alarmTopicArn)));
    }
    if (actions.length === 0) {
      Annotations.of(this).addWarningV2(
        'datadog-aws-org-integration:no-alarm-destination',
        'No alarm destination: the alarms notify nobody. Set deployment.alarmEmail or deployment.alarmTopicArn (README "Alarms and the dashboard").',
      );
    }
    const alarm = (id: string, metric: Metric, description: string) => {
      const created = new Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      actions.forEach((action) => created.addAlarmAction(action));
      this.alarms.push(created);
    };
    alarm(
      'DeadLetterQueueAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      'Accounts that kept failing are in the dead-letter queue: read the worker logs for their accountId',
    );
    for (const queue of this.eventDeadLetterQueues) {
      alarm(
        `${queue.node.id}Alarm`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        'EventBridge could not deliver account events to the intake function: the schedule will catch up; look at the intake function',
      );
    }
    for (const fn of [this.intake, this.worker, this.reconcile]) {
      alarm(`${fn.node.id}ErrorsAlarm`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), `The ${fn.node.id.toLowerCase()} function failed`);
    }
    alarm(
      'DeletionGuardAlarm',
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'DeletionGuardTripped',
        dimensionsMap: { service: 'reconcile' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      'The reconciler planned more deletions than allowed and deleted none: check the organization listing, then run dd-aws-org plan / apply --max-deletions',
    );
    alarm(
      'AccountFailuresAlarm',
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'AccountFailed',
        dimensionsMap: { service: 'worker' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      'An account could not be converged (wrong Datadog keys, missing member access role, ...): see the worker logs',
    );
  }

  private markAsDeadLetterQueue(queue: IQueue): void {
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
  }

  private acknowledgeFindings(config: Config): void {
    this.markAsDeadLetterQueue(this.deadLetterQueue);
    Validations.of(this.worker.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'organizations:DescribeOrganization has no resource type in IAM: it takes "*" only.',
    });
    Validations.of(this.reconcile.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'organizations:DescribeOrganization and organizations:ListRoots take "*" only; ListOrganizationalUnitsForParent and ListAccountsForParent are called on every root and OU of the organization, found at run time.',
    });
    for (const fn of [this.worker, this.reconcile]) {
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:account/o-*/*]',
        reason: 'Organizations reads (DescribeAccount, ListParents, ListTagsForResource) on any account of the organization: the organization ID and account are the only parts left open.',
      });
    }
    Validations.of(this.worker.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:ou/o-*/ou-*]',
      reason: "organizations:ListParents walks up from an account through its OUs to the root: any OU of the organization.",
    });
    Validations.of(this.worker.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.role.memberAccessRoleName}]`,
      reason:
        'The worker assumes the member access role in whichever member account it converges: the account is the only part left open, the role name is fixed, and aws:ResourceOrgID bounds it to our organization.',
    });
  }
}

/** Organizations events exist only in us-east-1: refuse to synthesize elsewhere, and check again at deploy time. */
function assertOrganizationsRegion(scope: Construct, region: string): void {
  if (!Token.isUnresolved(region)) {
    if (region !== ORGANIZATIONS_EVENTS_REGION) {
      throw new Error(
        `this stack must be deployed to ${ORGANIZATIONS_EVENTS_REGION}, not ${region}: AWS Organizations delivers its events to EventBridge only in us-east-1 (Control Tower events from another home region are forwarded there)`,
      );
    }
    return;
  }
  new CfnRule(scope, 'OnlyInUsEast1', {
    assertions: [
      {
        assert: Fn.conditionEquals(Aws.REGION, ORGANIZATIONS_EVENTS_REGION),
        assertDescription: 'Deploy to us-east-1: AWS Organizations delivers its events to EventBridge only there',
      },
    ],
  });
}
