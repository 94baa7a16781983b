import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { enqueueAccounts } from '../queue/messages';
import { describeOutcome, parseEvent } from './parse';

export interface IntakeDependencies {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * EventBridge -> intake: validate the event, take the account IDs it names, and enqueue one
 * message per account. A malformed or unknown event is logged and counted, never retried:
 * the function returns normally so EventBridge does not deliver it again.
 */
export function createIntakeHandler(deps: IntakeDependencies) {
  return async (event: unknown): Promise<{ enqueued: number }> => {
    const eventId = typeof (event as { id?: unknown })?.id === 'string' ? (event as { id: string }).id : '';
    deps.logger.appendKeys({ correlationId: eventId });
    try {
      const outcome = parseEvent(event);
      const summary = describeOutcome(outcome);
      if (outcome.kind !== 'accounts') {
        const metric = { invalid: 'EventsMalformed', unknown: 'EventsUnknown', ignored: 'EventsIgnored', reconcile: 'EventsNeedReconcile' }[outcome.kind];
        deps.metrics.addMetric(metric, MetricUnit.Count, 1);
        const level = outcome.kind === 'ignored' ? 'info' : 'warn';
        deps.logger[level]('event not enqueued', { outcome: outcome.kind, summary });
        return { enqueued: 0 };
      }
      await enqueueAccounts(
        deps.sqs,
        deps.queueUrl,
        outcome.accountIds.map((accountId) => ({
          accountId,
          reason: summary,
          correlationId: eventId,
          // The same event delivered twice yields the same ID, and SQS drops the copy.
          deduplicationKey: `${eventId || summary}:${accountId}`,
        })),
      );
      deps.metrics.addMetric('AccountsEnqueued', MetricUnit.Count, outcome.accountIds.length);
      deps.logger.info('event enqueued', { summary, accountIds: outcome.accountIds });
      return { enqueued: outcome.accountIds.length };
    } finally {
      deps.metrics.publishStoredMetrics();
      deps.logger.removeKeys(['correlationId']);
    }
  };
}
