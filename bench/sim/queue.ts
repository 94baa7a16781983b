/**
 * What the product relies on from SQS FIFO and the Lambda SQS event source, in virtual time:
 *
 * - message groups: a group with a message in flight gives no other message of it (one group per account);
 * - visibility: a received message is hidden for the queue's visibility timeout, or for what
 *   ChangeMessageVisibility set; a deleted one is gone;
 * - receive counts: every receive counts; a message received more than maxReceiveCount times
 *   goes to the dead-letter queue instead (the redrive policy);
 * - the event source: batches of up to batchSize; the handler's batchItemFailures stay, the rest
 *   is deleted; an invocation past the function's timeout deletes nothing (its batch comes back
 *   after the visibility timeout); the concurrency controls the stack sets: reserved concurrency
 *   and, when set, the event source's maximum concurrency.
 *
 * Assumed, as AWS does not publish it: without a maximum concurrency the event source keeps
 * THROTTLED_POLLERS pollers receiving whatever the function's reserved concurrency is, and a
 * throttled invocation leaves its batch in flight until the visibility timeout (AWS's
 * documentation: "messages ... return to the queue after the visibility timeout"); a throttled
 * poller tries again after THROTTLED_RETRY_MS. SQS calls themselves cost no virtual time.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { VirtualClock } from './clock';

/** Pollers the event source keeps without a maximum concurrency (AWS: "Lambda starts with five concurrent batches"). */
export const THROTTLED_POLLERS = 5;
export const THROTTLED_RETRY_MS = 1_000;

export interface EventSourceSettings {
  /** The function's reserved concurrency. */
  readonly reservedConcurrency: number;
  /** The event source's maximum concurrency; undefined when the stack sets none. */
  readonly maxConcurrency: number | undefined;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly visibilityTimeoutMs: number;
  readonly maxReceiveCount: number;
}

interface Message {
  readonly id: string;
  readonly groupId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
}

export type SimulatedHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface QueueFigures {
  readonly invocations: number;
  readonly throttled: number;
  readonly timedOut: number;
  readonly deadLettered: number;
  readonly maxReceiveCount: number;
}

export class SimulatedFifoQueue {
  private messages: Message[] = [];
  private readonly byReceipt = new Map<string, Message>();
  private readonly inFlightGroups = new Map<string, number>();
  private seq = 0;
  private wake: (() => void)[] = [];
  readonly deadLetters: Message[] = [];
  /** Called when a message is deleted (the work of it done). */
  onDeleted?: (groupId: string, at: number) => void;

  constructor(
    private readonly clock: VirtualClock,
    private readonly settings: EventSourceSettings,
  ) {}

  get size(): number {
    return this.messages.length;
  }

  send(groupId: string, body: string): void {
    this.messages.push({ id: `m-${++this.seq}`, groupId, body, sentAt: this.clock.now(), receiveCount: 0, visibleAt: 0 });
    const waking = this.wake;
    this.wake = [];
    waking.forEach((resolve) => resolve());
  }

  /** Up to `max` visible messages of groups with nothing in flight; the over-received go to the DLQ. */
  receive(max: number): Message[] {
    const now = this.clock.now();
    const taken: Message[] = [];
    const groups = new Set<string>();
    const kept: Message[] = [];
    for (const message of this.messages) {
      const free = message.visibleAt <= now && !groups.has(message.groupId) && (this.inFlightGroups.get(message.groupId) ?? 0) <= now;
      if (free && taken.length < max && message.receiveCount >= this.settings.maxReceiveCount) {
        this.deadLetters.push(message);
        continue;
      }
      if (free && taken.length < max) {
        message.receiveCount += 1;
        message.visibleAt = now + this.settings.visibilityTimeoutMs;
        if (message.receipt) this.byReceipt.delete(message.receipt);
        message.receipt = `${message.id}/${message.receiveCount}`;
        this.byReceipt.set(message.receipt, message);
        this.inFlightGroups.set(message.groupId, message.visibleAt);
        taken.push(message);
      }
      groups.add(message.groupId);
      kept.push(message);
    }
    this.messages = kept;
    return taken;
  }

  delete(receipt: string): void {
    const message = this.byReceipt.get(receipt);
    if (!message) return;
    this.byReceipt.delete(receipt);
    this.inFlightGroups.delete(message.groupId);
    this.messages = this.messages.filter((m) => m !== message);
    this.onDeleted?.(message.groupId, this.clock.now());
  }

  changeVisibility(receipt: string, seconds: number): void {
    const message = this.byReceipt.get(receipt);
    if (!message) return;
    message.visibleAt = this.clock.now() + seconds * 1000;
    this.inFlightGroups.set(message.groupId, message.visibleAt);
  }

  /** Waits until a message may be visible: the next send, or the earliest visibility, at most `ms`. */
  async idle(ms: number): Promise<void> {
    const now = this.clock.now();
    const next = Math.min(...this.messages.map((m) => m.visibleAt), now + ms);
    await Promise.race([new Promise<void>((resolve) => this.wake.push(resolve)), this.clock.sleep(Math.max(1, next - now))]);
  }

  /** The SQS client the worker is given: ChangeMessageVisibility only. */
  sqsClient(): { send(command: { input: { ReceiptHandle?: string; VisibilityTimeout?: number } }): Promise<object> } {
    return {
      send: (command) => {
        this.changeVisibility(command.input.ReceiptHandle ?? '', command.input.VisibilityTimeout ?? 0);
        return Promise.resolve({});
      },
    };
  }

  static record(message: Message): SQSRecord {
    return {
      messageId: message.id,
      receiptHandle: message.receipt!,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.id,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:bench.fifo',
      awsRegion: 'us-east-1',
    };
  }
}

/**
 * Runs the event source until `done()` and the queue is empty: invokes `handler` as Lambda
 * would, under the settings' concurrency controls. Returns its figures.
 */
/** Lambda runs each concurrent invocation in an execution environment of its own: module state (caches, a per-process write queue) is per environment. */
export interface ExecutionEnvironments {
  /** Makes the handler of one more environment, as a cold start loads the module. */
  readonly coldStart: () => SimulatedHandler;
}

export async function runEventSource(
  clock: VirtualClock,
  queue: SimulatedFifoQueue,
  settings: EventSourceSettings,
  handler: SimulatedHandler | ExecutionEnvironments,
  done: () => boolean,
): Promise<QueueFigures> {
  // Free environments; a new one starts when every one is busy (at most the concurrency, which `running` bounds).
  const idle: SimulatedHandler[] = [];
  const environment = () => idle.pop() ?? (typeof handler === 'function' ? handler : handler.coldStart());
  let running = 0;
  let invocations = 0;
  let throttled = 0;
  let timedOut = 0;
  const concurrency = Math.min(settings.reservedConcurrency, settings.maxConcurrency ?? Infinity);
  // With a maximum concurrency, a poller receives only when it can invoke; without, THROTTLED_POLLERS receive regardless.
  const pollers = settings.maxConcurrency === undefined ? Math.max(THROTTLED_POLLERS, concurrency) : concurrency;

  const invoke = async (records: SQSRecord[]) => {
    const start = clock.now();
    const context = { getRemainingTimeInMillis: () => settings.timeoutMs - (clock.now() - start) } as unknown as Context;
    let finished = false;
    const instance = environment();
    const outcome = await Promise.race([
      instance({ Records: records }, context).then((response) => {
        finished = true;
        return response;
      }),
      clock.sleep(settings.timeoutMs).then(() => undefined),
    ]);
    // A timed-out environment is not reused (Lambda restarts it): its unfinished work stays with it.
    if (finished) idle.push(instance);
    if (!finished || !outcome) {
      timedOut += 1;
      return;
    }
    const failed = new Set(outcome.batchItemFailures.map((f) => f.itemIdentifier));
    for (const record of records) if (!failed.has(record.messageId)) queue.delete(record.receiptHandle);
  };

  const poller = async () => {
    for (;;) {
      if (done() && queue.size === 0) return;
      if (settings.maxConcurrency !== undefined && running >= concurrency) {
        await clock.sleep(THROTTLED_RETRY_MS);
        continue;
      }
      const batch = queue.receive(settings.batchSize);
      if (batch.length === 0) {
        await queue.idle(20_000);
        continue;
      }
      if (running >= concurrency) {
        // Throttled: the batch stays in flight until its visibility timeout, its receives counted.
        throttled += 1;
        await clock.sleep(THROTTLED_RETRY_MS);
        continue;
      }
      running += 1;
      invocations += 1;
      await invoke(batch.map(SimulatedFifoQueue.record));
      running -= 1;
    }
  };
  await Promise.all(Array.from({ length: pollers }, poller));
  return { invocations, throttled, timedOut, deadLettered: queue.deadLetters.length, maxReceiveCount: settings.maxReceiveCount };
}
