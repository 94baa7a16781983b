import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { ConvergeResult } from '../converge';
import { METRICS_NAMESPACE } from './metrics-namespace';
import type { ActionType } from '../plan/plan-account';

export { METRICS_NAMESPACE };

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
}

/** The actions that repair drift (an onboarding creates the integration; the rest are counted apart). */
const REPAIRS: ReadonlySet<ActionType> = new Set<ActionType>(['rotate-external-id', 'update-integration', 'create-role', 'update-role-trust', 'update-role-policy']);

/** What a result means for the dashboards: onboarded, offboarded, drift repaired, failed, retried. */
export function resultMetrics(result: ConvergeResult): string[] {
  const types: ReadonlySet<ActionType> = new Set(result.actions.map((a) => a.type));
  const names: string[] = [];
  if (result.status === 'error') names.push('AccountFailed');
  else if (result.status === 'retry') names.push('AccountRetry');
  else {
    if (types.has('create-integration')) names.push('Onboarded');
    else if ([...types].some((t) => REPAIRS.has(t))) names.push('DriftRepaired');
    if (types.has('adopt-integration')) names.push('Adopted');
    if (types.has('delete-integration')) names.push('Offboarded');
  }
  return names;
}

/** One structured log line and the metrics for one account. */
/** `byProfile`: the configuration has profiles, so each metric is also counted by profile and target. */
export function reportResult(logger: Logger, metrics: Metrics, result: ConvergeResult, dryRun = false, byProfile = false): void {
  const line = {
    accountId: result.accountId,
    status: result.status,
    dryRun,
    actions: result.actions.map(({ type, reason, target }) => ({ type, reason, ...(target !== undefined && { target }) })),
    scope: result.scope,
    ...(result.profile !== undefined && { profile: result.profile }),
    ...(result.target !== undefined && { target: result.target }),
    notes: result.notes,
    ...(result.error !== undefined && { error: result.error }),
  };
  if (result.status === 'error') logger.error('account failed', line);
  else if (result.status === 'retry') logger.warn('account to retry later', line);
  else logger.info('account converged', line);
  if (dryRun) return;
  for (const name of resultMetrics(result)) {
    metrics.addMetric(name, MetricUnit.Count, 1);
    // Also by profile and target, apart: the alarms and the dashboard read the metric without dimensions.
    if (byProfile && result.target !== undefined) {
      const single = metrics.singleMetric();
      single.addDimensions({ Profile: result.profile ?? PROFILE_NONE, Target: result.target });
      single.addMetric(name, MetricUnit.Count, 1);
    }
  }
}

/** The Profile dimension of an account with the top-level settings. */
export const PROFILE_NONE = '(top level)';
