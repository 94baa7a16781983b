import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { isAccountId } from '../domain/account-id';
import { isOrganizationId } from '../domain/organization-id';
import { StateError } from '../domain/errors';

/** One unit of work on the FIFO queue: converge this account. */
export const accountMessageSchema = z.object({
  accountId: z.string().check(z.refine(isAccountId, { error: 'accountId must be exactly 12 digits' })),
  /** Why it was enqueued, for the logs: the event, or the reconcile run. */
  reason: z._default(z.string().check(z.maxLength(500)), ''),
  /** The EventBridge event ID or reconcile run ID: the correlation ID in every log line. */
  correlationId: z._default(z.string().check(z.maxLength(200)), ''),
  /** Sent by a reconcile run whose deletion guard tripped: converge, but delete nothing. */
  holdDeletions: z.optional(z.boolean()),
  /** What the reconciler's walk read of the account, so the worker need not read Organizations again. */
  facts: z.optional(
    z.object({
      observedAt: z.iso.datetime(),
      partition: z.enum(['aws', 'aws-us-gov', 'aws-cn']),
      /** Our organization's ID (read by the worker when absent). */
      organizationId: z.optional(z.string().check(z.refine(isOrganizationId, { error: 'organizationId must be an organization ID (o-xxxxxxxxxx)' }))),
      state: z.enum(['ACTIVE', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'SUSPENDED', 'CLOSED', 'NOT_IN_ORGANIZATION', 'UNKNOWN']),
      name: z.optional(z.string()),
      parentPath: z.array(z.string()),
      tags: z.record(z.string(), z.string()),
      /** The tags were read (else the worker reads them, when the configuration needs them). */
      tagsRead: z.boolean(),
      isManagementAccount: z.boolean(),
      /** When the account joined the organization (a new account may not be assumable yet). */
      joinedAt: z.optional(z.iso.datetime()),
      /** Datadog's integrations for the account in its own target, as listed by the reconciler (the worker lists them itself when absent). */
      integrations: z.optional(z.array(z.unknown())),
      /** Its integrations in the other Datadog targets, by target name, where the reconciler listed them. */
      elsewhere: z.optional(z.record(z.string(), z.array(z.unknown()))),
    }),
  ),
});
export type AccountMessage = z.output<typeof accountMessageSchema>;

export type AccountFacts = NonNullable<AccountMessage['facts']>;

export interface EnqueueItem extends AccountMessage {
  /** Same key, same message within SQS's 5-minute deduplication window: redelivered events enqueue once. */
  readonly deduplicationKey: string;
}

/** SQS FIFO deduplication IDs are at most 128 characters: hash the key. */
export function deduplicationId(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Sends one message per account, MessageGroupId = account ID, so that one account is never
 * worked on twice at once. Batches of 10; entries SQS refuses are retried once, then reported.
 */
export async function enqueueAccounts(sqs: SQSClient, queueUrl: string, items: readonly EnqueueItem[]): Promise<void> {
  for (let start = 0; start < items.length; start += 10) {
    let entries = items.slice(start, start + 10).map((item, index) => ({
      Id: String(index),
      MessageGroupId: item.accountId,
      MessageDeduplicationId: deduplicationId(item.deduplicationKey),
      MessageBody: JSON.stringify({
        accountId: item.accountId,
        reason: item.reason,
        correlationId: item.correlationId,
        facts: item.facts,
        ...(item.holdDeletions && { holdDeletions: true }),
      }),
    }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = response.Failed ?? [];
      if (failed.length === 0) break;
      if (attempt >= 2) {
        const ids = failed.map((f) => `${entries.find((e) => e.Id === f.Id)?.MessageGroupId}: ${f.Code}`).join(', ');
        throw new StateError(`SQS refused ${failed.length} message(s): ${ids}`, true);
      }
      const failedIds = new Set(failed.map((f) => f.Id));
      entries = entries.filter((e) => failedIds.has(e.Id));
    }
  }
}
