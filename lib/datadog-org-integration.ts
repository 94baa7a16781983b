import * as path from 'node:path';
import { Aws, CfnOutput, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import { CONFIG_ENVIRONMENT_VARIABLE, QUEUE_URL_VARIABLE } from '../lambda/handlers/environment';
import { METRICS_NAMESPACE } from '../lambda/report/metrics-namespace';
import { accountEventRules } from './account-event-rules';
import { alarmActions, messagesWaitingAlarm } from './alarms';
import { IntegrationDashboard } from './dashboard';
import { DatadogKeys } from './datadog-keys';
import { controlTowerPatterns, organizationsPatterns } from './event-rules';
import { IntakeFunction } from './functions/intake';
import { ReconcileFunction } from './functions/reconcile';
import { SecretsCheckFunction } from './functions/secrets-check';
import { WORKER_TIMEOUT, WorkerFunction } from './functions/worker';
import { reconcileWhenKeysStored } from './keys-stored';
import { MemberAccessStackSet } from './member-access-stackset';
import { withDefaultSecret } from './profile-secrets';
import { PublishedConfig } from './published-config';
import { accountQueues } from './queue';
import { InputError } from '../lambda/domain/errors';

export { CREATED_SECRET_NAME_PREFIX } from './datadog-keys';
export { RECONCILE_MAX_EVENT_AGE } from './functions/reconcile';

export interface DatadogOrgIntegrationProps {
  /** Validated configuration (see parseConfig / configFromContext). */
  readonly config: Config;
  /** Where the handlers' TypeScript lives, to bundle it at synth; defaults to lambda/handlers here, or the package's prebuilt bundles when installed. */
  readonly handlersDir?: string;
}

/** Organizations delivers its events to EventBridge in us-east-1 only. */
export const ORGANIZATIONS_EVENTS_REGION = 'us-east-1';

/**
 * Everything that keeps an AWS Organization integrated with Datadog, event-driven:
 * EventBridge rules -> intake -> SQS FIFO (group = account) -> worker -> Datadog + IAM,
 * and a schedule -> reconcile -> the same queue. Each part is built by its own file and
 * created directly in this construct, so the construct paths (and the logical IDs of a
 * deployed stack) stay as they are.
 */
export class DatadogOrgIntegration extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly secret: ISecret;
  readonly intake: NodejsFunction;
  readonly worker: NodejsFunction;
  readonly reconcile: NodejsFunction;
  /** Profiles that name their own Datadog secret: the deploy-time check that those secrets exist. */
  readonly secretsCheck?: SecretsCheckFunction;
  readonly alarms: Alarm[];
  /** role.memberAccessMode "dedicated": the StackSet that creates the member access role. */
  readonly memberAccess?: MemberAccessStackSet;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DatadogOrgIntegrationProps) {
    super(scope, id);
    const { config } = props;
    assertOrganizationsRegion(this, Stack.of(this).region);
    const handlersDir = props.handlersDir ?? path.join(__dirname, '..', 'lambda', 'handlers');

    const keys = new DatadogKeys(this, config);
    this.secret = keys.secret;
    const lambdaConfig = withDefaultSecret(config, this.secret.secretArn);
    new PublishedConfig(this, 'PublishedConfig', { config: lambdaConfig });

    const { queue, deadLetterQueue } = accountQueues(this, { maxReceiveCount: config.deployment.maxReceiveCount, workerTimeout: WORKER_TIMEOUT });
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;

    const environment = {
      [CONFIG_ENVIRONMENT_VARIABLE]: Stack.of(this).toJsonString(lambdaConfig),
      [QUEUE_URL_VARIABLE]: queue.queueUrl,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const actions = alarmActions(this, config.deployment);
    const intake = new IntakeFunction(this, { handlersDir, retention: config.deployment.logRetentionDays, queue, alarmActions: actions });
    const worker = new WorkerFunction(this, { handlersDir, config, queue, keys, environment, alarmActions: actions });
    const reconcile = new ReconcileFunction(this, { handlersDir, config, queue, keys, environment, alarmActions: actions });
    this.intake = intake;
    this.worker = worker;
    this.reconcile = reconcile;

    if (config.role.memberAccessMode === 'dedicated') {
      this.memberAccess = new MemberAccessStackSet(this, 'MemberAccess', { config, trustedRoles: [worker.role!] });
    }
    reconcileWhenKeysStored(this, [this.secret, ...keys.profileSecrets], reconcile);
    if (keys.profileSecrets.length > 0) {
      this.secretsCheck = new SecretsCheckFunction(this, { handlersDir, keys, retention: config.deployment.logRetentionDays as RetentionDays });
    }

    const eventDeadLetterQueues = [accountEventRules(this, 'Organizations', organizationsPatterns(), { intake, reconcile })];
    if (config.deployment.controlTower.enabled) eventDeadLetterQueues.push(accountEventRules(this, 'ControlTower', controlTowerPatterns(), { intake, reconcile }));

    this.alarms = [
      messagesWaitingAlarm(this, 'DeadLetterQueueAlarm', deadLetterQueue, 'Accounts that kept failing are in the dead-letter queue: read the worker logs for their accountId', actions),
      ...eventDeadLetterQueues.map((eventQueue) =>
        messagesWaitingAlarm(
          this,
          `${eventQueue.node.id}Alarm`,
          eventQueue,
          'EventBridge could not deliver account events to the intake function: the schedule will catch up; look at the intake function',
          actions,
        ),
      ),
      intake.errorsAlarm,
      worker.errorsAlarm,
      reconcile.errorsAlarm,
      reconcile.deletionGuardAlarm,
      worker.accountFailuresAlarm,
    ];
    this.dashboard = new IntegrationDashboard(this, 'Dashboard', { queue, deadLetterQueue, eventDeadLetterQueues }).dashboard;

    new CfnOutput(this, 'QueueUrl', { value: queue.queueUrl, description: 'Per-account work queue (FIFO)' });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl, description: 'Messages that kept failing' });
    new CfnOutput(this, 'WorkerLogGroup', { value: worker.logGroup.logGroupName, description: 'One JSON line per converged account' });
  }
}

/** Organizations events exist only in us-east-1: refuse to synthesize elsewhere, and check again at deploy time. */
function assertOrganizationsRegion(scope: Construct, region: string): void {
  if (!Token.isUnresolved(region)) {
    if (region !== ORGANIZATIONS_EVENTS_REGION) {
      throw new InputError(
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
