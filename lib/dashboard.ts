import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Metric, SingleValueWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../lambda/report/metrics-namespace';

export interface IntegrationDashboardProps {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly eventDeadLetterQueues: readonly IQueue[];
}

const PERIOD = Duration.hours(1);

/** A metric the functions emit (lambda/report/telemetry.ts, lambda/reconcile/reconcile.ts); Powertools adds the service dimension. */
function emitted(metricName: string, service: 'worker' | 'reconcile', label: string): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, statistic: 'Sum', period: PERIOD, label });
}

/** One CloudWatch dashboard: what the accounts went through, the queues, the reconciler. */
export class IntegrationDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: IntegrationDashboardProps) {
    super(scope, id);
    // No fixed name: two stacks (or a redeploy) never collide.
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    const maximum = { statistic: 'Maximum', period: Duration.minutes(5) };
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '## Datadog AWS org integration\nAccounts converged by the worker, the account queue, the reconciler. Each account has one JSON log line per run in the worker log group.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Accounts (worker)',
        width: 12,
        left: [
          emitted('Onboarded', 'worker', 'onboarded'),
          emitted('DriftRepaired', 'worker', 'repaired'),
          emitted('Offboarded', 'worker', 'offboarded'),
          emitted('AccountFailed', 'worker', 'failed'),
          emitted('AccountRetry', 'worker', 'retry later'),
        ],
      }),
      new GraphWidget({
        title: 'Account queue',
        width: 12,
        left: [props.queue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: 'messages waiting' })],
        right: [props.queue.metricApproximateAgeOfOldestMessage({ ...maximum, label: 'age of oldest message (s)' })],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues',
        width: 12,
        left: [
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: 'accounts that kept failing' }),
          ...props.eventDeadLetterQueues.map((queue) =>
            queue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: `undelivered events (${queue.node.id})` }),
          ),
        ],
      }),
      new GraphWidget({
        title: 'Reconcile',
        width: 8,
        left: [
          emitted('ReconcileAccounts', 'reconcile', 'accounts'),
          emitted('ReconcileDriftFound', 'reconcile', 'drift found'),
          emitted('ReconcileAccountsEnqueued', 'reconcile', 'enqueued'),
        ],
      }),
      new SingleValueWidget({
        title: 'Deletion guard trips',
        width: 4,
        metrics: [emitted('DeletionGuardTripped', 'reconcile', 'guard trips')],
        setPeriodToTimeRange: true,
      }),
    );
  }
}
