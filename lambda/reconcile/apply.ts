import type { Config } from '../config/schema';
import { convergeAccount, type ConvergeResult } from '../converge';
import type { AwsIntegrationPort } from '../datadog/port';
import type { DatadogTargets } from '../datadog/targets';
import type { ObserveDependencies } from '../observe/observe-account';
import { mapLimit } from '../observe/organization-walk';
import { accountListings, type ObservedOrganization } from './observe-organization';

// Apart from stream.ts so that the reconcile Lambda, which only enqueues, loads no IAM or STS client.

export interface ApplyOptions {
  readonly concurrency: number;
  readonly onResult?: (result: ConvergeResult) => void;
  /** The deletion guard tripped: converge every account, delete nothing. */
  readonly holdDeletions?: boolean;
}

/**
 * Converges each account the plan names, with the full per-account pipeline (it reads the role
 * and decides again on the facts of the moment), reusing what the walk read.
 */
export async function applyOrganization(
  accountIds: readonly string[],
  observed: ObservedOrganization,
  config: Config,
  deps: ObserveDependencies & { readonly datadog: AwsIntegrationPort; readonly targets?: DatadogTargets },
  options: ApplyOptions,
): Promise<ConvergeResult[]> {
  const accounts = new Map(observed.snapshot.accounts.map((a) => [a.accountId, a]));
  const listed = accountListings(observed, config);
  const tagsMissing = new Set(observed.tagsMissing);
  return mapLimit(accountIds, options.concurrency, async (accountId) => {
    const organization = accounts.get(accountId);
    // Accounts the walk did not see, or whose tags are missing, are read afresh.
    const known =
      organization && !tagsMissing.has(accountId)
        ? {
            partition: observed.snapshot.partition,
            organizationId: observed.snapshot.organizationId,
            organization,
            ...listed(organization),
          }
        : undefined;
    const result = await convergeAccount(accountId, { config, deps, dryRun: false, known, holdDeletions: options.holdDeletions });
    options.onResult?.(result);
    return result;
  });
}
