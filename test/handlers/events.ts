/**
 * Builders for the events the Lambda handlers really receive, shaped as AWS delivers them:
 * an SQS event from a FIFO queue (the worker), an EventBridge Scheduled Event (the
 * reconciler) and a Lambda Context. Everything is deterministic apart from fresh IDs.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';

export const REGION = 'us-east-1';
export const MANAGEMENT_ACCOUNT_ID = '111111111111';
export const QUEUE_NAME = 'datadog-aws-org-integration-accounts.fifo';
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${MANAGEMENT_ACCOUNT_ID}:${QUEUE_NAME}`;
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${MANAGEMENT_ACCOUNT_ID}/${QUEUE_NAME}`;
/** Who sent the messages: the intake function's execution role session (AROA...:session). */
export const SENDER_ID = 'AROAZ2W6KXQ7EXAMPLE01:datadog-aws-org-integration-intake';

// FIFO sequence numbers are 20-digit, strictly increasing per group.
let nextSequence = 18_886_123_456_789_012_345n;

export interface FifoRecordOptions {
  /** The message body as sent: a string is used as is (to send garbage), anything else is JSON-encoded. */
  readonly body: unknown;
  /** MessageGroupId: the account ID for our messages. */
  readonly groupId: string;
  /** ApproximateReceiveCount (1 on the first delivery). */
  readonly receiveCount?: number;
  readonly deduplicationId?: string;
  readonly messageId?: string;
  readonly sentAt?: Date;
}

/** One record of an SQS event as Lambda delivers it from a FIFO queue. */
export function sqsFifoRecord(options: FifoRecordOptions): SQSRecord {
  const body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const sentAt = options.sentAt ?? new Date(Date.now() - 1500);
  const receiveCount = options.receiveCount ?? 1;
  const sequence = nextSequence;
  nextSequence += 1_000_000n;
  return {
    messageId: options.messageId ?? randomUUID(),
    // Opaque to us; real ones are long base64 strings starting with AQEB.
    receiptHandle: `AQEB${randomBytes(96).toString('base64')}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(sentAt.getTime()),
      SenderId: SENDER_ID,
      ApproximateFirstReceiveTimestamp: String(sentAt.getTime() + 250),
      SequenceNumber: String(sequence),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: options.deduplicationId ?? createHash('sha256').update(`${options.groupId}:${sequence}`).digest('hex'),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: REGION,
  };
}

export interface AccountRecordOptions {
  readonly correlationId?: string;
  readonly reason?: string;
  readonly receiveCount?: number;
  /** What a reconcile's walk read of the account (the message's optional `facts`). */
  readonly facts?: Record<string, unknown>;
}

/** A record carrying one of our messages ({accountId, reason, correlationId}), grouped by account. */
export function accountRecord(accountId: string, options: AccountRecordOptions = {}): SQSRecord {
  return sqsFifoRecord({
    groupId: accountId,
    receiveCount: options.receiveCount,
    body: {
      accountId,
      reason: options.reason ?? 'aws.organizations CreateAccountResult: converge (test)',
      correlationId: options.correlationId ?? randomUUID(),
      ...(options.facts && { facts: options.facts }),
    },
  });
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export interface ScheduledEventOptions {
  readonly id?: string;
  readonly time?: Date;
  readonly ruleName?: string;
  readonly account?: string;
}

/** What an EventBridge schedule rule delivers to its target. */
export function scheduledEvent(options: ScheduledEventOptions = {}): ScheduledEvent<Record<string, never>> {
  const time = options.time ?? new Date('2024-03-04T12:00:00Z');
  const account = options.account ?? MANAGEMENT_ACCOUNT_ID;
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    // EventBridge writes whole seconds.
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${account}:rule/${options.ruleName ?? 'DatadogAwsOrgIntegration-ReconcileSchedule'}`],
    detail: {},
  };
}

/** A Lambda Context as the Node.js runtime passes it. */
export function lambdaContext(functionName = 'datadog-aws-org-integration-worker', overrides: Partial<Context> = {}): Context {
  const awsRequestId = randomUUID();
  const deadline = Date.now() + 60_000;
  const deprecated = () => {
    throw new Error('the callback-style Context methods are not used by these handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${MANAGEMENT_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2024/03/04/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: deprecated,
    fail: deprecated,
    succeed: deprecated,
    ...overrides,
  };
}
