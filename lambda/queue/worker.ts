import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { needsAccountTags, type Config } from '../config/schema';
import { parse } from 'zod/mini';
import { convergeAccount } from '../converge';
import type { Integration } from '../datadog/port';
import { serializeWrites } from '../datadog/serialized-writes';
import { mapTargets } from '../datadog/targets';
import { routingOf } from '../config/profiles';
import type { PipelineDependencies } from '../dependencies';
import type { KnownFacts } from '../observe/observe-account';
import { StateError } from '../domain/errors';
import { TimeBudget } from '../domain/time-budget';
import { isOurIntegration } from '../domain/ownership';
import { reportResult } from '../report/telemetry';
import { accountMessageSchema, type AccountFacts } from './messages';

export interface WorkerDependencies {
  readonly config: Config;
  readonly pipeline: PipelineDependencies;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly dryRun?: boolean;
  /** Set from each invocation's context; the same budget the Datadog client checks its retry waits against. */
  readonly budget?: TimeBudget;
  /** The batch's accounts one after another instead of side by side: for a narrative that depends on the order (the demo, fault matrices). */
  readonly oneAccountAtATime?: boolean;
}

/**
 * The time an account may need once started: one Datadog request that times out and its retry
 * (datadog.requestTimeoutMs each; 15 s by default). An account's calls take a second or two when
 * nothing goes wrong; a longer wait (a 429's reset) is refused by the client against the budget.
 */
export function accountReserveMs(config: Config): number {
  return 2 * config.datadog.requestTimeoutMs;
}

/** Seconds before a message returned unworked (out of time) is seen again: at once, by the next invocation. */
export const POSTPONED_VISIBILITY_SECONDS = 0;

/** Seconds before a message is seen again after its nth failed receive: 30 s doubling, at most 15 min. */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(900, 30 * 2 ** Math.max(0, receiveCount - 1));
}

/** How old the reconciler's facts may be before the worker reads Organizations itself. */
export const FACTS_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * The reconciler's facts stand in for Organizations reads when they are fresh, were read with
 * the tags the configuration needs, and describe an active account (offboarding always re-reads).
 */
export function usableFacts(accountId: string, facts: AccountFacts | undefined, config: Config, now: Date): KnownFacts | undefined {
  if (!facts || facts.state !== 'ACTIVE') return undefined;
  const age = now.getTime() - Date.parse(facts.observedAt);
  if (!(age >= 0 && age <= FACTS_MAX_AGE_MS)) return undefined;
  if (!facts.tagsRead && needsAccountTags(config)) return undefined;
  const integrations = facts.integrations as Integration[] | undefined;
  // Without an integration of ours the worker may create one: it lists Datadog afresh first, so a
  // message processed since the reconcile read Datadog cannot make it create twice (and rotate).
  const oursListed = integrations?.some((i) => isOurIntegration(i, config.role.name));
  return {
    partition: facts.partition,
    ...(facts.organizationId && { organizationId: facts.organizationId }),
    integrations: oursListed ? integrations : undefined,
    ...(facts.elsewhere && { elsewhere: facts.elsewhere as Record<string, Integration[]> }),
    organization: {
      accountId,
      state: facts.state,
      name: facts.name,
      parentPath: facts.parentPath,
      tags: facts.tags,
      isManagementAccount: facts.isManagementAccount,
      ...(facts.joinedAt && { joinedAt: new Date(facts.joinedAt) }),
    },
  };
}

/** A failure the queue should retry: the record goes back with a longer delay; after N receives, to the DLQ. */
class RetryLater extends StateError {
  constructor(message: string) {
    super(message, true);
  }
}

/** Not worked on (or given up before a long wait): back to the queue at once; not a failure of the account. */
class Postponed extends StateError {
  constructor(message: string) {
    super(message, true);
  }
}

/**
 * SQS FIFO -> worker: converge each account, report partial batch failures. The batch's message
 * groups (accounts) run side by side, each group's messages in order; a failed account holds back
 * only the later messages of its own group, not the others.
 */
export function createWorkerHandler(deps: WorkerDependencies) {
  const budget = deps.budget ?? new TimeBudget();
  const reserveMs = accountReserveMs(deps.config);

  // Accounts of a batch run side by side; their Datadog writes go one at a time (409 when concurrent).
  // Conflicts are per Datadog organization: each target's writes are serialized on their own.
  const targets = deps.pipeline.targets && mapTargets(deps.pipeline.targets, serializeWrites);
  const datadog = targets ? targets.port(routingOf(deps.config).defaultTarget.name) : serializeWrites(deps.pipeline.datadog);
  const pipeline: PipelineDependencies = { ...deps.pipeline, datadog, ...(targets && { targets }) };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    // Its own logger: the keys of one account never reach the lines of another converged alongside.
    const logger = deps.logger.createChild();
    const setVisibility = (seconds: number, onFailure: string) =>
      deps.sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }))
        .catch((error: unknown) => logger.warn(onFailure, { error: (error as Error).message }));
    const postpone = async (accountId: string, why: string): Promise<never> => {
      logger.info('account postponed to the next invocation', { accountId, reason: why });
      await setVisibility(POSTPONED_VISIBILITY_SECONDS, 'could not return the message for later');
      throw new Postponed(`${accountId}: ${why}`);
    };
    let message;
    try {
      message = parse(accountMessageSchema, JSON.parse(record.body));
    } catch (error) {
      // A poison message: fail it until the redrive policy moves it to the dead-letter queue.
      logger.error('malformed queue message', { messageId: record.messageId });
      throw new StateError(`message ${record.messageId} is not {"accountId": "<12 digits>"}`, false, { cause: error });
    }
    // Never start an account that cannot be finished before the timeout: the batch's response would be lost with it.
    if (!budget.allows(reserveMs)) {
      await postpone(message.accountId, `${Math.round(budget.remainingMs() / 1000)} s left, an account may need ${reserveMs / 1000} s`);
    }
    logger.appendKeys({ accountId: message.accountId, correlationId: message.correlationId || record.messageId });
    // A retried message re-reads everything: the first attempt may have changed what the facts describe.
    const firstReceive = (Number(record.attributes.ApproximateReceiveCount) || 1) <= 1;
    const known = firstReceive ? usableFacts(message.accountId, message.facts, deps.config, pipeline.now()) : undefined;
    const converge = (facts: KnownFacts | undefined) =>
      convergeAccount(message.accountId, {
        config: deps.config,
        deps: pipeline,
        dryRun: Boolean(deps.dryRun),
        known: facts,
        holdDeletions: message.holdDeletions,
      });
    let result = await converge(known);
    // Facts can be minutes old (the account closed since, say): what did not go well is tried again on fresh reads.
    if (known && !result.outOfTime && (result.status === 'error' || result.status === 'retry') && budget.allows(reserveMs)) result = await converge(undefined);
    if (result.outOfTime) await postpone(message.accountId, result.error ?? 'out of time');
    reportResult(logger, deps.metrics, result, deps.dryRun, deps.config.profiles.length > 0);
    // No keys yet: storing them starts a reconcile that enqueues this account again, so the message is done (not DLQ'd).
    if (result.waitingForKeys) return;
    if (result.status === 'retry' || result.status === 'error') {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      await setVisibility(retryDelaySeconds(receiveCount), 'could not delay the retry');
      throw new RetryLater(`${message.accountId}: ${result.status}: ${result.error ?? ''}`);
    }
  };

  /** One group's records in order; after a failure, the rest of the group is returned too (FIFO order kept). */
  const handleGroup = async (records: readonly SQSRecord[], failed: Set<string>): Promise<void> => {
    for (const [index, record] of records.entries()) {
      try {
        await handleRecord(record);
      } catch {
        for (const later of records.slice(index)) failed.add(later.messageId);
        return;
      }
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    budget.track(() => context.getRemainingTimeInMillis());
    try {
      const groups = new Map<string, SQSRecord[]>();
      for (const record of event.Records) {
        const group = record.attributes.MessageGroupId ?? record.messageId;
        groups.set(group, [...(groups.get(group) ?? []), record]);
      }
      const failed = new Set<string>();
      if (deps.oneAccountAtATime) for (const records of groups.values()) await handleGroup(records, failed);
      else await Promise.all([...groups.values()].map((records) => handleGroup(records, failed)));
      return { batchItemFailures: event.Records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) };
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
