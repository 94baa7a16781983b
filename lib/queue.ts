import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface AccountQueues {
  /** FIFO, one message group per account: the worker converges an account once at a time. */
  readonly queue: Queue;
  /** Where an account's message goes after deployment.maxReceiveCount failed receives. */
  readonly deadLetterQueue: Queue;
}

/** AWS's advice for Lambda event sources: a visibility timeout of at least six times the function's timeout. */
export const VISIBILITY_TIMEOUT_TIMEOUTS = 6;

/** The per-account work queue and its dead-letter queue, created in `scope` as AccountQueue and DeadLetterQueue. */
export function accountQueues(scope: Construct, options: { readonly maxReceiveCount: number; readonly workerTimeout: Duration }): AccountQueues {
  const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
    fifo: true,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  markAsDeadLetterQueue(deadLetterQueue);
  const queue = new Queue(scope, 'AccountQueue', {
    fifo: true,
    contentBasedDeduplication: false,
    visibilityTimeout: Duration.seconds(options.workerTimeout.toSeconds() * VISIBILITY_TIMEOUT_TIMEOUTS),
    retentionPeriod: Duration.days(4),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: options.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}

/** A standard queue for the events EventBridge could not deliver to the functions. */
export function eventsDeadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  markAsDeadLetterQueue(queue);
  return queue;
}

function markAsDeadLetterQueue(queue: IQueue): void {
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
}
