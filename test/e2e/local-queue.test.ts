/** The local SQS FIFO queue the end-to-end suite drives the handlers with. */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DEDUPLICATION_WINDOW_MS, fakeSqsClient, LocalFifoQueue } from './local-queue';

const URL = 'https://sqs.us-east-1.amazonaws.com/111111111111/q.fifo';

function send(queue: LocalFifoQueue, group: string, body: string, dedup = `${group}:${body}`) {
  queue.sendMessage(body, group, dedup);
}

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

describe('LocalFifoQueue', () => {
  it('delivers a group in order and never a group with a message in flight', () => {
    const queue = new LocalFifoQueue();
    send(queue, 'a', 'a1');
    send(queue, 'b', 'b1');
    send(queue, 'a', 'a2');
    send(queue, 'c', 'c1');
    const first = queue.receive(2);
    expect(bodies(first)).toEqual(['a1', 'a2']);
    // Group a is in flight: only b and c come.
    expect(bodies(queue.receive(10))).toEqual(['b1', 'c1']);
    expect(queue.receive(10)).toEqual([]);
    send(queue, 'a', 'a3');
    expect(queue.receive(10)).toEqual([]);
    queue.deleteMessage(first[0]!.receiptHandle);
    // a2 is still in flight: a3 waits, visible but held until a2 is visible again (or deleted).
    expect(queue.receive(10)).toEqual([]);
    expect(queue.nextVisibleAt()).toBe(720_000);
    queue.deleteMessage(first[1]!.receiptHandle);
    expect(bodies(queue.receive(10))).toEqual(['a3']);
  });

  it('returns at most 10 messages', () => {
    const queue = new LocalFifoQueue();
    for (let i = 0; i < 25; i++) send(queue, `g${i}`, `m${i}`);
    expect(queue.receive(10)).toHaveLength(10);
    expect(queue.receive(10)).toHaveLength(10);
    expect(queue.receive(10)).toHaveLength(5);
    expect(() => queue.receive(11)).toThrow('MaxNumberOfMessages');
  });

  it('hides a received message for the visibility timeout (720 s by default), then delivers it again with a higher receive count', () => {
    const queue = new LocalFifoQueue();
    send(queue, 'a', 'a1');
    expect(queue.receive()[0]?.receiveCount).toBe(1);
    expect(queue.nextVisibleAt()).toBe(720_000);
    queue.advance(719_999);
    expect(queue.receive()).toEqual([]);
    queue.advance(1);
    const again = queue.receive();
    expect(again.map((m) => [m.body, m.receiveCount])).toEqual([['a1', 2]]);
  });

  it('ChangeMessageVisibility sets when it comes back, from now; only the latest receipt handle counts', () => {
    const queue = new LocalFifoQueue();
    send(queue, 'a', 'a1');
    const [first] = queue.receive();
    queue.advance(5_000);
    queue.changeMessageVisibility(first!.receiptHandle, 30);
    expect(queue.nextVisibleAt()).toBe(35_000);
    queue.advance(30_000);
    const [second] = queue.receive();
    expect(second?.receiveCount).toBe(2);
    expect(() => queue.changeMessageVisibility(first!.receiptHandle, 0)).toThrow('ReceiptHandleIsInvalid');
    expect(() => queue.deleteMessage(first!.receiptHandle)).toThrow('ReceiptHandleIsInvalid');
    queue.changeMessageVisibility(second!.receiptHandle, 0);
    expect(queue.receive()[0]?.receiveCount).toBe(3);
    expect(() => queue.changeMessageVisibility(second!.receiptHandle, 43_201)).toThrow('VisibilityTimeout');
  });

  it('moves a message to the dead-letter queue instead of its (maxReceiveCount + 1)th receive, and unblocks its group', () => {
    const queue = new LocalFifoQueue({ maxReceiveCount: 3 });
    send(queue, 'a', 'poison');
    send(queue, 'a', 'next');
    for (let receive = 1; receive <= 3; receive++) {
      const got = queue.receive(1);
      expect(got.map((m) => [m.body, m.receiveCount])).toEqual([['poison', receive]]);
      queue.changeMessageVisibility(got[0]!.receiptHandle, 0);
    }
    expect(bodies(queue.receive(1))).toEqual(['next']);
    expect(bodies(queue.deadLetters)).toEqual(['poison']);
    expect(queue.deadLetters[0]?.receiveCount).toBe(3);
    expect(queue.depth).toBe(1);
  });

  it('drops a copy with the same group and deduplication ID for 5 minutes, then accepts it again', () => {
    const queue = new LocalFifoQueue();
    send(queue, 'a', 'x', 'same');
    queue.advance(DEDUPLICATION_WINDOW_MS - 1);
    send(queue, 'a', 'x', 'same');
    expect(queue.depth).toBe(1);
    expect(queue.duplicatesDropped).toBe(1);
    // Deduplication holds even after the first copy was received and deleted.
    queue.deleteMessage(queue.receive()[0]!.receiptHandle);
    send(queue, 'a', 'x', 'same');
    expect(queue.depth).toBe(0);
    queue.advance(1);
    send(queue, 'a', 'x', 'same');
    expect(queue.depth).toBe(1);
  });

  it('checks batches as SQS does', () => {
    const queue = new LocalFifoQueue();
    expect(() => queue.sendMessageBatch([])).toThrow('at least one');
    expect(() => queue.sendMessageBatch(Array.from({ length: 11 }, (_, i) => ({ Id: String(i), MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: String(i) })))).toThrow('10');
    const result = queue.sendMessageBatch([
      { Id: '0', MessageBody: 'x', MessageDeduplicationId: 'd' },
      { Id: '1', MessageBody: 'y', MessageGroupId: 'g' },
      { Id: '2', MessageBody: 'z', MessageGroupId: 'g', MessageDeduplicationId: 'd2' },
    ]);
    expect(result.Failed.map((f) => [f.Id, f.Code])).toEqual([
      ['0', 'MissingParameter'],
      ['1', 'InvalidParameterValue'],
    ]);
    expect(result.Successful.map((s) => s.Id)).toEqual(['2']);
  });

  it('serves SendMessageBatch and ChangeMessageVisibility through a fake SQSClient', async () => {
    const queue = new LocalFifoQueue();
    const sqs = fakeSqsClient(queue, URL);
    const out = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: URL, Entries: [{ Id: '0', MessageBody: '{}', MessageGroupId: 'g', MessageDeduplicationId: 'd' }] }),
    );
    expect(out.Successful).toHaveLength(1);
    const [message] = queue.receive();
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: URL, ReceiptHandle: message!.receiptHandle, VisibilityTimeout: 60 }));
    expect(queue.nextVisibleAt()).toBe(60_000);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: `${URL}x`, Entries: [] }))).rejects.toThrow('does not exist');
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: URL, ReceiptHandle: 'x' }) as never)).rejects.toThrow('does not serve');
    expect(sqs.commands).toEqual(['SendMessageBatch', 'ChangeMessageVisibility', 'SendMessageBatch']);
  });
});
