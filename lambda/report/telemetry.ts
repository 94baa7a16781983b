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
export function reportResult(logger: Logger, metrics: Metrics, result: ConvergeResult, dryRun = false): void {
  const line = {
    accountId: result.accountId,
    status: result.status,
    dryRun,
    actions: result.actions.map(({ type, reason }) => ({ type, reason })),
    scope: result.scope,
    notes: result.notes,
    ...(result.error !== undefined && { error: result.error }),
  };
  if (result.status === 'error') logger.error('account failed', line);
  else if (result.status === 'retry') logger.warn('account to retry later', line);
  else logger.info('account converged', line);
  if (!dryRun) for (const name of resultMetrics(result)) metrics.addMetric(name, MetricUnit.Count, 1);
}
