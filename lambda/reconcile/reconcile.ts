import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema';
import { KeysNotStoredError } from '../datadog/credentials';
import { enqueueAccounts } from '../queue/messages';
import { heldDeletions } from '../plan/plan-organization';
import type { OrganizationDependencies } from '../organization-dependencies';
import { accountsToConverge } from './organization-work';
import { reconcileOrganization } from './stream';

export interface ReconcileDependencies {
  readonly config: Config;
  readonly organization: OrganizationDependencies;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly dryRun: boolean;
}

export interface ReconcileSummary {
  readonly runId: string;
  readonly accounts: number;
  readonly inSync: number;
  readonly toCreate: number;
  readonly toRepair: number;
  readonly toDelete: number;
  readonly enqueued: number;
  readonly deletionGuardTripped: boolean;
  readonly dryRun: boolean;
  /** Set when the run did not walk the organization (all counts 0), and why: nothing failed, nothing to retry. */
  readonly skipped?: 'another reconcile is in progress' | 'the Datadog keys are not stored yet';
}

function skippedRun(runId: string, dryRun: boolean, skipped: NonNullable<ReconcileSummary['skipped']>): ReconcileSummary {
  return { runId, accounts: 0, inSync: 0, toCreate: 0, toRepair: 0, toDelete: 0, enqueued: 0, deletionGuardTripped: false, dryRun, skipped };
}

/** Time kept back from the Lambda timeout for planning and enqueueing after the tags are read. */
const RESERVE_MS = 2 * 60 * 1000;

/**
 * The schedule's safety net: walk the organization once, list Datadog once, plan every account
 * with the same decision, and enqueue only the accounts that need work (the worker converges
 * them). More deletions than allowed: none are enqueued, the run says why, and an alarm fires.
 */
export function createReconcileHandler(deps: ReconcileDependencies) {
  // Reserved concurrency 1 keeps Lambda from starting two; this keeps one process from running two (a caller that
  // does not wait, a local runner): the second exits cleanly, as the run in progress reads the organization anyway.
  let inProgress: string | undefined;
  return async (event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<ReconcileSummary> => {
    const now = deps.organization.now;
    const runId = `reconcile-${(event as { id?: string })?.id ?? now().toISOString()}`;
    if (inProgress) {
      deps.logger.info('reconcile skipped: another run is in progress', { correlationId: runId, runInProgress: inProgress });
      return skippedRun(runId, deps.dryRun, 'another reconcile is in progress');
    }
    inProgress = runId;
    deps.logger.appendKeys({ correlationId: runId });
    try {
      // Tags cost one call per account: read them while time allows; the rest go to the worker, which reads its own.
      const tagsDeadline = context ? now().getTime() + context.getRemainingTimeInMillis() - RESERVE_MS : undefined;
      const { plan, observed, enqueued, heldBack } = await reconcileOrganization(deps.config, deps.organization, {
        dryRun: deps.dryRun,
        tagsDeadline,
        enqueue: (items) =>
          enqueueAccounts(
            deps.sqs,
            deps.queueUrl,
            items.map(({ accountId, facts, holdDeletions }) => ({
              accountId,
              facts,
              holdDeletions,
              reason: holdDeletions ? 'scheduled reconcile (deletion guard tripped: no deletion)' : 'scheduled reconcile',
              correlationId: runId,
              deduplicationKey: `${runId}:${accountId}`,
            })),
          ),
      });
      // A Datadog organization that could not be listed: its accounts wait for their workers and nothing of ours there is deleted in this run.
      for (const { target, profiles, accounts, failure } of plan.targets) {
        if (failure !== undefined) deps.logger.warn('Datadog target could not be listed', { target, profiles, accounts, reason: failure });
      }
      if (plan.guard.tripped) {
        deps.metrics.addMetric('DeletionGuardTripped', MetricUnit.Count, 1);
        deps.logger.error('deletion guard tripped: no deletion enqueued', { guard: plan.guard, accountsHeldBack: heldBack, deletionsHeld: heldDeletions(plan) });
      }
      const held = new Set(heldBack);
      const targets = accountsToConverge(plan, observed).filter((id) => !held.has(id));
      const summary: ReconcileSummary = {
        runId,
        ...plan.summary,
        enqueued: enqueued.length,
        deletionGuardTripped: plan.guard.tripped,
        dryRun: deps.dryRun,
      };
      deps.metrics.addMetric('ReconcileAccounts', MetricUnit.Count, summary.accounts);
      deps.metrics.addMetric('ReconcileInSync', MetricUnit.Count, summary.inSync);
      deps.metrics.addMetric('ReconcileAccountsEnqueued', MetricUnit.Count, summary.enqueued);
      deps.metrics.addMetric('ReconcileDriftFound', MetricUnit.Count, summary.toRepair);
      if (plan.unmatchedProfiles.length > 0) deps.logger.warn('profiles that match no account of the organization', { profiles: plan.unmatchedProfiles });
      deps.logger.info('reconcile run', {
        ...summary,
        candidates: targets.length,
        tagsMissing: observed.tagsMissing.length,
        ...(deps.config.profiles.length > 0 && { targets: plan.targets }),
      });
      return summary;
    } catch (error) {
      // Before the keys are stored there is nothing to do; storing them starts a reconcile (EventBridge rule).
      if (!(error instanceof KeysNotStoredError)) throw error;
      deps.logger.warn('reconcile waits for the Datadog keys', { reason: error.message });
      return skippedRun(runId, deps.dryRun, 'the Datadog keys are not stored yet');
    } finally {
      inProgress = undefined;
      deps.metrics.publishStoredMetrics();
      deps.logger.removeKeys(['correlationId']);
    }
  };
}
