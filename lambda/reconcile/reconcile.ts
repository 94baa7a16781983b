import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema';
import type { AwsIntegrationPort } from '../datadog/port';
import type { OrganizationsReader } from '../observe/organizations';
import { enqueueAccounts } from '../queue/messages';

export interface ReconcileDependencies {
  readonly config: Config;
  readonly organizations: OrganizationsReader;
  readonly datadog: AwsIntegrationPort;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly dryRun: boolean;
  readonly now: () => Date;
}

export interface ReconcileSummary {
  readonly runId: string;
  readonly accounts: number;
  readonly integrations: number;
  readonly enqueued: number;
  readonly dryRun: boolean;
}

/**
 * The schedule's safety net: every active account and every account that has our integration
 * goes to the queue, where the worker converges it (and does nothing when it is in sync).
 */
export function createReconcileHandler(deps: ReconcileDependencies) {
  return async (event: unknown): Promise<ReconcileSummary> => {
    const runId = `reconcile-${(event as { id?: string })?.id ?? deps.now().toISOString()}`;
    deps.logger.appendKeys({ correlationId: runId });
    try {
      const [accounts, integrations] = await Promise.all([deps.organizations.listAccounts(), deps.datadog.listIntegrations()]);
      const roleName = deps.config.role.name;
      const ours = integrations.filter((i) => i.auth.kind === 'role' && i.auth.roleName === roleName).map((i) => i.accountId);
      const active = accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.accountId);
      const targets = [...new Set([...active, ...ours])];
      if (!deps.dryRun) {
        await enqueueAccounts(
          deps.sqs,
          deps.queueUrl,
          targets.map((accountId) => ({ accountId, reason: 'scheduled reconcile', correlationId: runId, deduplicationKey: `${runId}:${accountId}` })),
        );
      }
      const summary = { runId, accounts: accounts.length, integrations: ours.length, enqueued: deps.dryRun ? 0 : targets.length, dryRun: deps.dryRun };
      deps.metrics.addMetric('ReconcileAccountsEnqueued', MetricUnit.Count, summary.enqueued);
      deps.logger.info('reconcile run', { ...summary, candidates: targets.length });
      return summary;
    } finally {
      deps.metrics.publishStoredMetrics();
      deps.logger.removeKeys(['correlationId']);
    }
  };
}
