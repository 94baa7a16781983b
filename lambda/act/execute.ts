import type { IAMClient } from '@aws-sdk/client-iam';
import { DatadogApiError } from '../datadog/errors';
import type { AwsIntegrationPort, CreateOptions, IntegrationRef, IntegrationSettings } from '../datadog/port';
import { ProductError, StateError, isRetryable, messageOf } from '../domain/errors';
import { isOurIntegration } from '../domain/ownership';
import { datadogTrustPolicy, type PolicyDocument } from '../domain/policy';
import type { TrustToWrite } from '../plan/actions';
import type { DatadogTargets } from '../datadog/targets';
import type { AccountPlan, Action } from '../plan/plan-account';
import { applyPermissions, createRole, deleteRole, updateTrust } from './iam-role';

export interface ActDependencies {
  /** The account's own Datadog target's port. */
  readonly datadog: AwsIntegrationPort;
  /** Every target's port: a move's leftovers are deleted in the target that holds them. */
  readonly targets?: DatadogTargets;
  /** IAM in the member account; absent when the account could not be reached. */
  readonly iam?: IAMClient;
  /** An external ID minted ahead for this account (mint-ahead.ts): the first trust written and the create use it instead of minting. */
  readonly mintedExternalId?: string;
  /** Waits between conflict retries (tests and simulations pass their own clock). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Datadog answers 409 to writes on its AWS integration made concurrently: wait and try again, a few times. */
const CONFLICT_RETRY_DELAYS_MS = [1000, 2000, 4000];

async function retryOnConflict<T>(write: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const delay = CONFLICT_RETRY_DELAYS_MS[attempt];
      if (!(error instanceof DatadogApiError && error.kind === 'conflict') || delay === undefined) throw error;
      await sleep(delay);
    }
  }
}

/** Thrown when an action fails; says which one, what was already done, and (from its cause) whether to retry. */
export class ActionError extends ProductError {
  override readonly name = 'ActionError';
  constructor(
    readonly action: Action,
    readonly done: readonly Action[],
    override readonly cause: unknown,
  ) {
    super(`${action.type} failed: ${messageOf(cause)}`, isRetryable(cause), { cause });
  }
}

/**
 * Performs a plan's actions in order, with what each carries (the planner decided it). Every
 * action is idempotent, so a run that stops half way is finished by the next one. Returns the
 * actions done.
 */
export async function executePlan(plan: AccountPlan, deps: ActDependencies): Promise<Action[]> {
  const ref: IntegrationRef = { accountId: plan.accountId, roleName: plan.roleName };
  const account = { accountId: plan.accountId, partition: plan.partition };
  const iam = (): IAMClient => {
    if (!deps.iam) throw new StateError(`IAM in account ${plan.accountId} is not reachable`, false);
    return deps.iam;
  };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const write = <T>(call: () => Promise<T>) => retryOnConflict(call, sleep);
  // Where the port mints IDs first, a new integration starts with one minted before the role is written, so the role is ready first.
  const mintFirst = deps.datadog.capabilities.mintsExternalIdBeforeCreate && plan.actions.some((a) => a.type === 'create-integration');
  // An external ID obtained in this run (minted, ahead or here, created or rotated) is the one to write into the trust.
  let externalId: string | undefined = mintFirst ? deps.mintedExternalId : undefined;
  const trustPolicy = async (trust: TrustToWrite): Promise<PolicyDocument> => {
    if (externalId === undefined && mintFirst) externalId = await write(() => deps.datadog.mintExternalId());
    const policy = datadogTrustPolicy(trust.principalArn, externalIdToTrust(externalId ?? trust.externalId, plan.accountId));
    // Deny statements someone added only restrict the role: kept.
    return { ...policy, Statement: [...policy.Statement, ...trust.keep] };
  };
  const done: Action[] = [];

  for (const action of plan.actions) {
    try {
      switch (action.type) {
        case 'none':
          continue;
        case 'create-integration':
          externalId = await createOrAdopt(deps.datadog, ref, action.settings, write, { externalId, partition: plan.partition });
          break;
        case 'rotate-external-id':
          externalId = (await write(() => deps.datadog.rotateExternalId(ref))).externalId;
          break;
        case 'adopt-integration':
        case 'update-integration':
          // Adopting is an update whose settings carry our marker (they always do).
          await write(() => deps.datadog.updateIntegration(ref, action.settings));
          break;
        case 'create-role':
          await createRole(iam(), action.role, await trustPolicy(action.trust), account);
          break;
        case 'update-role-trust':
          await updateTrust(iam(), plan.roleName, await trustPolicy(action.trust));
          break;
        case 'update-role-policy':
          await applyPermissions(iam(), action.role, account);
          break;
        case 'delete-integration':
          await write(() => deleteIfPresent(action.target === undefined ? deps.datadog : targetPort(deps, action.target), ref));
          break;
        case 'delete-role':
          await deleteRole(iam(), plan.roleName);
          break;
      }
      done.push(action);
    } catch (error) {
      if (action.type === 'update-role-trust' && done.some((a) => a.type === 'create-integration')) {
        throw await withdrawCreate(deps.datadog, ref, write, action, done, error);
      }
      throw new ActionError(action, done, error);
    }
  }
  return done;
}

/**
 * The integration this run created has an external ID the role does not trust, and where the
 * ID is not read back (v1) no later run could tell: the role would keep trusting its one old
 * ID, taken as right. So the create is withdrawn (the integration deleted: this run made it),
 * and the next run starts over. Should the delete fail too, the error says what is left.
 */
async function withdrawCreate(
  datadog: AwsIntegrationPort,
  ref: IntegrationRef,
  write: ConflictRetry,
  action: Action,
  done: readonly Action[],
  error: unknown,
): Promise<ActionError> {
  if (datadog.capabilities.readsExternalIdBack) return new ActionError(action, done, error);
  const kept = done.filter((a) => a.type !== 'create-integration');
  try {
    await write(() => deleteIfPresent(datadog, ref));
  } catch (deleteError) {
    const left = new StateError(
      `${messageOf(error)}; the integration created in this run could not be deleted again (${messageOf(deleteError)}): ` +
        `its external ID is not in the role's trust, and the next run cannot see that; delete it (dd-aws-org integration delete --account-id ${ref.accountId}) and converge again`,
      isRetryable(error),
      { cause: error },
    );
    return new ActionError(action, done, left);
  }
  return new ActionError(action, kept, new StateError(`${messageOf(error)}; the integration created in this run was deleted again, so the next run starts over`, isRetryable(error), { cause: error }));
}

type ConflictRetry = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * Create; if Datadog already has it (409 on create means "exists"), adopt it: our settings and
 * an external ID the role will trust (the given one, v2, which the role already trusts; else a new one).
 */
async function createOrAdopt(
  datadog: AwsIntegrationPort,
  ref: IntegrationRef,
  settings: IntegrationSettings,
  write: ConflictRetry,
  options: CreateOptions,
): Promise<string> {
  try {
    return (await datadog.createIntegration(ref, settings, options)).externalId;
  } catch (error) {
    if (!(error instanceof DatadogApiError)) throw error;
    // A create with a minted ID whose answer was lost and was sent again is refused (the ID is
    // used by then, or the integration exists). If Datadog reads back ours with that ID, the create is done.
    if (options.externalId !== undefined && datadog.capabilities.readsExternalIdBack && !error.retryable) {
      const listed = await datadog.listIntegrations({ accountId: ref.accountId });
      if (listed.some((i) => isOurIntegration(i, ref.roleName) && i.externalId === options.externalId)) return options.externalId;
    }
    if (error.kind !== 'conflict') throw error;
    const { externalId } = await write(() => datadog.rotateExternalId(ref, { externalId: options.externalId }));
    await write(() => datadog.updateIntegration(ref, settings));
    return externalId;
  }
}

/** Deletes the integration; gone already counts as done. */
export async function deleteIfPresent(datadog: AwsIntegrationPort, ref: IntegrationRef): Promise<void> {
  try {
    await datadog.deleteIntegration(ref);
  } catch (error) {
    // A conflict is a concurrent write: retried by the caller.
    if (!(error instanceof DatadogApiError) || error.retryable || error.kind === 'conflict') throw error;
    // A refused delete may mean "nothing to delete" (v1 answers 400, in words we should not parse): look instead.
    // Gone (deleted by a concurrent run, or by an earlier attempt whose answer was lost): the goal is reached.
    const still = await datadog.listIntegrations({ accountId: ref.accountId });
    if (still.some((i) => isOurIntegration(i, ref.roleName))) throw error;
  }
}

function targetPort(deps: ActDependencies, target: string): AwsIntegrationPort {
  if (!deps.targets) throw new StateError(`no Datadog port for target ${target} was given`, false);
  return deps.targets.port(target);
}

function externalIdToTrust(externalId: string | undefined, accountId: string): string {
  if (externalId) return externalId;
  throw new StateError(`no external ID is known for account ${accountId}; run again to rotate one`, true);
}
