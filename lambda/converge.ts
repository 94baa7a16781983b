import type { Config } from './config/schema';
import { placeOf } from './config/profiles';
import { assertAccountId } from './domain/account-id';
import { isRetryable, messageOf } from './domain/errors';
import { ActionError, executePlan, type ActDependencies } from './act/execute';
import { mintAhead } from './act/mint-ahead';
import { observeAccountInStages, type KnownFacts, type ObserveDependencies } from './observe/observe-account';
import { KeysNotStoredError } from './datadog/credentials';
import { portOf } from './datadog/targets';
import { OutOfTimeError } from './domain/time-budget';
import { PINNED_PERMISSIONS, type DatadogPermissions } from './domain/datadog-permissions';
import { holdDeletions, planAccount, type AccountPlan, type Action } from './plan/plan-account';

/** One account through the pipeline: observe -> plan -> act. The result is what is reported. */

export type ConvergeStatus = 'ok' | 'skipped' | 'retry' | 'error';

export interface ConvergeResult {
  readonly accountId: string;
  readonly status: ConvergeStatus;
  /** With --dry-run, the plan; otherwise the actions done (and, on error, the one that failed). */
  readonly actions: readonly Action[];
  readonly error?: string;
  /** Why the account is in or out of scope. */
  readonly scope?: string;
  /** The profile whose settings applied (none: the top level's), and the Datadog target written to. */
  readonly profile?: string;
  readonly target?: string;
  readonly notes: readonly string[];
  /** The Datadog keys are not stored yet: the reconcile that starts when they are converges the account. */
  readonly waitingForKeys?: boolean;
  /** A wait would have outlasted the invocation: the account is to be taken up again, not failed. */
  readonly outOfTime?: boolean;
}

export interface ConvergeOptions {
  readonly config: Config;
  readonly deps: ObserveDependencies &
    Pick<ActDependencies, 'datadog' | 'targets'> & {
      /** Datadog's current IAM permission lists; the pinned list when absent. */
      readonly permissions?: () => Promise<DatadogPermissions>;
    };
  readonly dryRun: boolean;
  /** Facts an org-wide walk already read (organization, Datadog integrations). */
  readonly known?: KnownFacts;
  /** The deletion guard tripped for the run this belongs to: plan deletions, do none of them. */
  readonly holdDeletions?: boolean;
}

const routeOf = (plan: AccountPlan) => ({ ...(plan.profile !== undefined && { profile: plan.profile }), target: plan.target });

export async function convergeAccount(accountId: string, options: ConvergeOptions): Promise<ConvergeResult> {
  assertAccountId(accountId);
  let plan: AccountPlan | undefined;
  const stages = observeAccountInStages(accountId, options.config, options.deps, options.known);
  try {
    // Datadog's lists (read once per process and hour) are read while the account is observed, not after it.
    const lists = options.deps.permissions?.();
    lists?.catch(() => undefined);
    const minted = options.dryRun ? undefined : mintAhead(stages.decided, options.config.role.name, (route) => portOf(options.deps, route.target.name));
    const { observation, iam, route } = await stages.observed;
    // The account's own target: its profile may report to another Datadog organization.
    const datadog = portOf(options.deps, route.target.name);
    // Only a role that is read or made needs Datadog's lists.
    const inspected = observation.role.kind === 'present' || observation.role.kind === 'absent';
    const permissions = inspected && lists ? await lists : PINNED_PERMISSIONS;
    const planned = planAccount(observation, route.config, datadog.capabilities, permissions);
    plan = options.holdDeletions ? holdDeletions(planned, 'the deletion guard tripped in this run') : planned;
    const base = { accountId, scope: plan.scope, notes: plan.notes, ...routeOf(plan) };
    if (plan.blocked) {
      return {
        ...base,
        status: plan.blocked.retryable ? 'retry' : 'error',
        actions: [],
        error: plan.blocked.reason,
      };
    }
    const idle = plan.actions.every((a) => a.type === 'none');
    const status = !plan.inScope && idle ? 'skipped' : 'ok';
    if (options.dryRun || idle) return { ...base, status, actions: plan.actions };
    const mintedExternalId = await minted;
    const done = await executePlan(plan, { datadog, targets: options.deps.targets, iam, ...(mintedExternalId && { mintedExternalId }) });
    return { ...base, status, actions: done };
  } catch (error) {
    const failed = error instanceof ActionError ? [...error.done, error.action] : [];
    const waitingForKeys = error instanceof KeysNotStoredError;
    const outOfTime = error instanceof OutOfTimeError;
    // A transient failure (throttled, timed out, Datadog's 5xx) is tried again later; a refusal or a configuration error is a failure.
    return {
      accountId,
      status: waitingForKeys || isRetryable(error) ? 'retry' : 'error',
      ...(waitingForKeys && { waitingForKeys }),
      ...(outOfTime && { outOfTime }),
      actions: failed,
      error: messageOf(error),
      scope: plan?.scope,
      notes: plan?.notes ?? [],
      // The route is known before the reads that can fail (its own target's listing, the role): a failure still names it.
      ...(plan ? routeOf(plan) : await stages.route.then(placeOf, () => undefined)),
    };
  }
}
