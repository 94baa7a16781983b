import { Annotations, Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../lambda/config/schema';
import { METRICS_NAMESPACE } from '../lambda/report/metrics-namespace';

/**
 * Where the alarms notify: a topic of this stack mailing deployment.alarmEmail, an existing
 * topic (deployment.alarmTopicArn), both, or nobody (with a synth warning that says so).
 */
export function alarmActions(scope: Construct, deployment: DeploymentConfig): IAlarmAction[] {
  const actions: IAlarmAction[] = [];
  if (deployment.alarmEmail) {
    // It only protects alarm messages in flight, nothing to decrypt later: deleted with the stack (after 7 days' wait).
    const key = new Key(scope, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alarm topic',
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(scope, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: 'Datadog AWS org integration alarms' });
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
    topic.addSubscription(new EmailSubscription(deployment.alarmEmail));
    actions.push(new SnsAction(topic));
  }
  if (deployment.alarmTopicArn) {
    actions.push(new SnsAction(Topic.fromTopicArn(scope, 'ExistingAlarmTopic', deployment.alarmTopicArn)));
  }
  if (actions.length === 0) {
    Annotations.of(scope).addWarningV2(
      'datadog-aws-org-integration:no-alarm-destination',
      'No alarm destination: the alarms notify nobody. Set deployment.alarmEmail or deployment.alarmTopicArn (README "Alarms and the dashboard").',
    );
  }
  return actions;
}

/** An alarm on any occurrence within five minutes: one failed invocation, one message, one metric count. */
export function anyOccurrenceAlarm(scope: Construct, id: string, metric: Metric, description: string, actions: readonly IAlarmAction[]): Alarm {
  const alarm = new Alarm(scope, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  actions.forEach((action) => alarm.addAlarmAction(action));
  return alarm;
}

/** A queue that holds messages nobody could process: it alarms as soon as one is there. */
export function messagesWaitingAlarm(scope: Construct, id: string, queue: IQueue, description: string, actions: readonly IAlarmAction[]): Alarm {
  return anyOccurrenceAlarm(scope, id, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), description, actions);
}

/** A count the functions emit (lambda/report/telemetry.ts, lambda/reconcile/reconcile.ts), per five minutes; Powertools adds the service dimension. */
export function emittedCount(metricName: string, service: 'worker' | 'reconcile'): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, period: Duration.minutes(5), statistic: 'Sum' });
}
