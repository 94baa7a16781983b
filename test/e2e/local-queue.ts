/**
 * A local SQS FIFO queue with its dead-letter queue, on a manual clock (ms), faithful to the
 * parts of SQS the product relies on:
 * - SendMessageBatch with MessageGroupId and MessageDeduplicationId (a copy sent within
 *   5 minutes is accepted and dropped);
 * - ReceiveMessage (at most 10): never returns a message of a group that has a message in
 *   flight, and returns the messages of a group in order;
 * - visibility timeout (the stack's default: 720 s) and ChangeMessageVisibility;
 * - ApproximateReceiveCount, and redrive to the dead-letter queue instead of the receive that
 *   would exceed maxReceiveCount (so a message is delivered at most maxReceiveCount times);
 * - DeleteMessage with the latest receipt handle.
 * `fakeSqsClient` serves SendMessageBatchCommand and ChangeMessageVisibilityCommand from it,
 * for the handler factories.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
/** The stack's queue: visibility timeout 720 s (6 x the worker's timeout), 15 receives before the DLQ. */
export const DEFAULT_VISIBILITY_TIMEOUT_S = 720;
export const DEFAULT_MAX_RECEIVE_COUNT = 15;
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_VISIBILITY_TIMEOUT_S = 12 * 60 * 60;

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  readonly sequenceNumber: bigint;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** When it is visible again; undefined: never received (visible). */
  visibleAt?: number;
  /** The latest receipt handle; only that one deletes or changes it. */
  receiptHandle?: string;
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  readonly sequenceNumber: string;
  readonly receiptHandle: string;
  readonly receiveCount: number;
  readonly sentAt: number;
  readonly firstReceivedAt: number;
}

export interface SendEntry {
  readonly Id?: string;
  readonly MessageBody?: string;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
}

export interface SentEntry {
  Id: string;
  MessageId: string;
  MD5OfMessageBody: string;
  SequenceNumber: string;
}

export interface FailedEntry {
  Id: string;
  Code: string;
  SenderFault: boolean;
  Message: string;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export interface LocalFifoQueueOptions {
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  /** Content-based deduplication (off, as in the stack: the producers give an ID). */
  readonly contentBasedDeduplication?: boolean;
}

export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = code;
  }
}

export class LocalFifoQueue {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** Messages moved to the dead-letter queue, in order. */
  readonly deadLetters: QueuedMessage[] = [];
  /** Every message accepted (duplicates excluded), for the record. */
  sentCount = 0;
  duplicatesDropped = 0;
  receives = 0;

  private clockMs = 0;
  private messages: QueuedMessage[] = [];
  private readonly deduplication = new Map<string, number>();
  private sequence = 10_000_000_000_000_000_000n;
  private readonly contentBased: boolean;

  constructor(options: LocalFifoQueueOptions = {}) {
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_S;
    this.maxReceiveCount = options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    this.contentBased = options.contentBasedDeduplication ?? false;
  }

  // ------------------------------------------------------------ clock

  get now(): number {
    return this.clockMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`the clock only moves forward (${ms} ms)`);
    this.clockMs += ms;
  }

  // ------------------------------------------------------------ send

  sendMessageBatch(entries: readonly SendEntry[]): { Successful: SentEntry[]; Failed: FailedEntry[] } {
    if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
    if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
    const ids = entries.map((e) => e.Id ?? '');
    if (new Set(ids).size !== ids.length) throw new SqsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    const bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0);
    if (bytes > MAX_BATCH_BYTES) throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes.`);
    this.expireDeduplication();
    const Successful: SentEntry[] = [];
    const Failed: FailedEntry[] = [];
    for (const entry of entries) {
      const id = entry.Id ?? '';
      if (!entry.MessageBody) {
        Failed.push({ Id: id, Code: 'MissingParameter', SenderFault: true, Message: 'The request must contain the parameter MessageBody.' });
        continue;
      }
      if (!entry.MessageGroupId) {
        Failed.push({ Id: id, Code: 'MissingParameter', SenderFault: true, Message: 'The request must contain the parameter MessageGroupId.' });
        continue;
      }
      const deduplicationId =
        entry.MessageDeduplicationId ?? (this.contentBased ? createHash('sha256').update(entry.MessageBody).digest('hex') : undefined);
      if (!deduplicationId) {
        Failed.push({
          Id: id,
          Code: 'InvalidParameterValue',
          SenderFault: true,
          Message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        });
        continue;
      }
      const key = `${entry.MessageGroupId}\u0000${deduplicationId}`;
      const existing = this.deduplication.get(key);
      if (existing !== undefined) {
        // SQS accepts the copy (success) and does not deliver it.
        this.duplicatesDropped++;
        Successful.push({ Id: id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody), SequenceNumber: String(this.sequence) });
        continue;
      }
      this.deduplication.set(key, this.clockMs);
      this.sequence += 1_000_000n;
      const message: QueuedMessage = {
        messageId: randomUUID(),
        body: entry.MessageBody,
        groupId: entry.MessageGroupId,
        deduplicationId,
        sequenceNumber: this.sequence,
        sentAt: this.clockMs,
        receiveCount: 0,
      };
      this.messages.push(message);
      this.sentCount++;
      Successful.push({ Id: id, MessageId: message.messageId, MD5OfMessageBody: md5(message.body), SequenceNumber: String(message.sequenceNumber) });
    }
    return { Successful, Failed };
  }

  /** One message, as a producer outside the product would send it (e.g. by hand). */
  sendMessage(body: string, groupId: string, deduplicationId: string = randomUUID()): void {
    const result = this.sendMessageBatch([{ Id: '0', MessageBody: body, MessageGroupId: groupId, MessageDeduplicationId: deduplicationId }]);
    if (result.Failed.length) throw new SqsError(result.Failed[0]!.Code, result.Failed[0]!.Message);
  }

  // ------------------------------------------------------------ receive

  private inFlight(message: QueuedMessage): boolean {
    return message.visibleAt !== undefined && message.visibleAt > this.clockMs;
  }

  /**
   * Up to `max` (1 to 10) visible messages. Groups are served in the order of their oldest
   * message; a group with a message in flight is skipped whole; a group's messages come in order.
   */
  receive(max = 10): ReceivedMessage[] {
    if (!(max >= 1 && max <= 10)) throw new SqsError('InvalidParameterValue', 'MaxNumberOfMessages must be from 1 to 10');
    this.receives++;
    const out: ReceivedMessage[] = [];
    const groups = new Map<string, QueuedMessage[]>();
    for (const message of [...this.messages].sort((a, b) => (a.sequenceNumber < b.sequenceNumber ? -1 : 1))) {
      const group = groups.get(message.groupId);
      if (group) group.push(message);
      else groups.set(message.groupId, [message]);
    }
    for (const group of groups.values()) {
      if (out.length >= max) break;
      if (group.some((m) => this.inFlight(m))) continue;
      for (const message of group) {
        if (out.length >= max) break;
        if (message.receiveCount >= this.maxReceiveCount) {
          // The redrive policy: this receive would exceed maxReceiveCount; the message goes to the DLQ.
          this.messages = this.messages.filter((m) => m !== message);
          message.visibleAt = undefined;
          message.receiptHandle = undefined;
          this.deadLetters.push(message);
          continue;
        }
        message.receiveCount++;
        message.firstReceivedAt ??= this.clockMs;
        message.visibleAt = this.clockMs + this.visibilityTimeoutSeconds * 1000;
        message.receiptHandle = `AQEB${randomBytes(48).toString('base64')}`;
        out.push({
          messageId: message.messageId,
          body: message.body,
          groupId: message.groupId,
          deduplicationId: message.deduplicationId,
          sequenceNumber: String(message.sequenceNumber),
          receiptHandle: message.receiptHandle,
          receiveCount: message.receiveCount,
          sentAt: message.sentAt,
          firstReceivedAt: message.firstReceivedAt,
        });
      }
    }
    return out;
  }

  private byHandle(receiptHandle: string | undefined): QueuedMessage {
    const message = receiptHandle ? this.messages.find((m) => m.receiptHandle === receiptHandle) : undefined;
    if (!message) throw new SqsError('ReceiptHandleIsInvalid', `The receipt handle "${String(receiptHandle).slice(0, 12)}..." is not valid.`);
    return message;
  }

  changeMessageVisibility(receiptHandle: string | undefined, visibilityTimeoutSeconds: number): void {
    if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 0 || visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_S) {
      throw new SqsError('InvalidParameterValue', `VisibilityTimeout must be from 0 to ${MAX_VISIBILITY_TIMEOUT_S} seconds`);
    }
    const message = this.byHandle(receiptHandle);
    if (!this.inFlight(message)) throw new SqsError('MessageNotInflight', 'The message is not in flight.');
    message.visibleAt = this.clockMs + visibilityTimeoutSeconds * 1000;
  }

  deleteMessage(receiptHandle: string): void {
    const message = this.byHandle(receiptHandle);
    this.messages = this.messages.filter((m) => m !== message);
  }

  // ------------------------------------------------------------ state

  /** Messages in the queue (visible or in flight), oldest first. */
  get depth(): number {
    return this.messages.length;
  }

  /** The messages still in the queue (copies). */
  pending(): QueuedMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }

  /**
   * When the next in-flight message becomes visible again (undefined: none in flight). A visible
   * message whose group is held by an in-flight one waits for that one too, so only in-flight
   * messages decide when something can be received next.
   */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const message of this.messages) {
      if (!this.inFlight(message)) continue;
      next = next === undefined ? message.visibleAt : Math.min(next, message.visibleAt!);
    }
    return next;
  }

  private expireDeduplication(): void {
    for (const [key, at] of this.deduplication) if (this.clockMs - at >= DEDUPLICATION_WINDOW_MS) this.deduplication.delete(key);
  }
}

/** A stand-in SQSClient: `send` serves SendMessageBatch and ChangeMessageVisibility from the local queue. */
export function fakeSqsClient(queue: LocalFifoQueue, queueUrl: string): SQSClient & { readonly commands: string[] } {
  const commands: string[] = [];
  const checkUrl = (url: string | undefined) => {
    if (url !== queueUrl) throw new SqsError('AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${url}`);
  };
  const client = {
    commands,
    async send(command: unknown): Promise<unknown> {
      if (command instanceof SendMessageBatchCommand) {
        commands.push('SendMessageBatch');
        checkUrl(command.input.QueueUrl);
        const output: Partial<SendMessageBatchCommandOutput> = queue.sendMessageBatch(command.input.Entries ?? []);
        return output;
      }
      if (command instanceof ChangeMessageVisibilityCommand) {
        commands.push('ChangeMessageVisibility');
        checkUrl(command.input.QueueUrl);
        queue.changeMessageVisibility(command.input.ReceiptHandle, command.input.VisibilityTimeout ?? 0);
        return {};
      }
      throw new Error(`the fake SQS client does not serve ${(command as { constructor?: { name?: string } })?.constructor?.name ?? 'this command'}`);
    },
  };
  return client as unknown as SQSClient & { readonly commands: string[] };
}
