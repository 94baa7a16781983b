/** The bench's SQS FIFO queue and Lambda event source: what the figures rely on (groups, visibility, receive counts, redrive, throttling). */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { VirtualClock } from '../../bench/sim/clock';
import { runEventSource, SimulatedFifoQueue, type EventSourceSettings } from '../../bench/sim/queue';

const settings = (overrides: Partial<EventSourceSettings> = {}): EventSourceSettings => ({
  reservedConcurrency: 2,
  maxConcurrency: 2,
  batchSize: 10,
  timeoutMs: 120_000,
  visibilityTimeoutMs: 720_000,
  maxReceiveCount: 3,
  ...overrides,
});

describe('SimulatedFifoQueue', () => {
  it('gives one message per group at a time, in order, and hides a received one for the visibility timeout', () => {
    const clock = new VirtualClock();
    const queue = new SimulatedFifoQueue(clock, settings());
    queue.send('a', 'a1');
    queue.send('a', 'a2');
    queue.send('b', 'b1');
    const first = queue.receive(10);
    expect(first.map((m) => m.body)).toEqual(['a1', 'b1']);
    expect(queue.receive(10)).toEqual([]);
    queue.delete(first[0]!.receipt!);
    expect(queue.receive(10).map((m) => m.body)).toEqual(['a2']);
  });

  it('counts every receive and moves a message received maxReceiveCount times to the dead-letter queue', () => {
    const clock = new VirtualClock();
    const queue = new SimulatedFifoQueue(clock, settings({ maxReceiveCount: 2 }));
    queue.send('a', 'a1');
    for (const count of [1, 2]) {
      const [message] = queue.receive(10);
      expect(message!.receiveCount).toBe(count);
      queue.changeVisibility(message!.receipt!, 0);
    }
    expect(queue.receive(10)).toEqual([]);
    expect(queue.deadLetters.map((m) => m.body)).toEqual(['a1']);
    expect(queue.size).toBe(0);
  });
});

describe('runEventSource', () => {
  const okHandler = (seen: string[]) => (event: SQSEvent): Promise<SQSBatchResponse> => {
    seen.push(...event.Records.map((r) => r.body));
    return Promise.resolve({ batchItemFailures: [] });
  };

  it('with a maximum concurrency: every message worked on once, none throttled or dead-lettered', async () => {
    const clock = new VirtualClock();
    const queue = new SimulatedFifoQueue(clock, settings());
    for (let i = 0; i < 25; i++) queue.send(`g${i}`, `m${i}`);
    const seen: string[] = [];
    const figures = await clock.run(() => runEventSource(clock, queue, settings(), okHandler(seen), () => true));
    expect(seen).toHaveLength(25);
    expect(figures).toMatchObject({ invocations: 3, throttled: 0, deadLettered: 0 });
  });

  it('one execution environment per concurrent invocation: at most the concurrency cold starts, each reused', async () => {
    const clock = new VirtualClock();
    const queue = new SimulatedFifoQueue(clock, settings());
    for (let i = 0; i < 60; i++) queue.send(`g${i}`, `m${i}`);
    const batchesBy: number[] = [];
    let coldStarts = 0;
    const figures = await clock.run(() =>
      runEventSource(
        clock,
        queue,
        settings(),
        {
          coldStart: () => {
            const environment = coldStarts++;
            return async () => {
              batchesBy.push(environment);
              await clock.sleep(100);
              return { batchItemFailures: [] };
            };
          },
        },
        () => true,
      ),
    );
    expect(figures.invocations).toBe(6);
    expect(coldStarts).toBe(2);
    expect(batchesBy.filter((e) => e === 0)).toHaveLength(3);
    expect(batchesBy.filter((e) => e === 1)).toHaveLength(3);
  });

  it('reserved concurrency alone (no maximum): throttled polls burn receives and unworked messages reach the dead-letter queue', async () => {
    const clock = new VirtualClock();
    const only = settings({ reservedConcurrency: 1, maxConcurrency: undefined, maxReceiveCount: 2 });
    const queue = new SimulatedFifoQueue(clock, only);
    for (let i = 0; i < 200; i++) queue.send(`g${i}`, `m${i}`);
    const seen: string[] = [];
    // Each batch takes a minute: the other pollers are throttled meanwhile.
    const slow = async (event: SQSEvent) => {
      await clock.sleep(60_000);
      return okHandler(seen)(event);
    };
    const figures = await clock.run(() => runEventSource(clock, queue, only, slow, () => true));
    expect(figures.throttled).toBeGreaterThan(0);
    expect(figures.deadLettered).toBeGreaterThan(0);
    expect(seen.length + figures.deadLettered).toBe(200);
  });

  it('an invocation past the timeout deletes nothing: its batch comes back after the visibility timeout', async () => {
    const clock = new VirtualClock();
    const short = settings({ timeoutMs: 1_000, visibilityTimeoutMs: 6_000, maxReceiveCount: 5 });
    const queue = new SimulatedFifoQueue(clock, short);
    queue.send('a', 'a1');
    let calls = 0;
    const handler = async (): Promise<SQSBatchResponse> => {
      calls += 1;
      if (calls === 1) await clock.sleep(5_000);
      return { batchItemFailures: [] };
    };
    const figures = await clock.run(() => runEventSource(clock, queue, short, handler, () => true));
    expect(figures.timedOut).toBe(1);
    expect(calls).toBe(2);
    expect(queue.size).toBe(0);
  });
});
