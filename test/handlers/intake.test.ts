/**
 * The intake Lambda (EventBridge -> SQS FIFO) over every event fixture, with the SQS client
 * mocked: one message per account, grouped by account, deduplicated by event and account;
 * events that name no account are counted and logged but never make the function fail
 * (EventBridge would retry them for ever); SQS refusals are retried once, then reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'zod/mini';
import { createIntakeHandler } from '../../lambda/event/intake';
import { parseEvent } from '../../lambda/event/parse';
import { accountMessageSchema, deduplicationId, enqueueAccounts, type EnqueueItem } from '../../lambda/queue/messages';
import { createLogger, createMetrics, METRICS_NAMESPACE } from '../../lambda/report/telemetry';
import { QUEUE_URL, REGION } from './events';
import { captureOutput, type CapturedOutput } from './output';

const FIXTURES = join(__dirname, '..', 'support', 'events');
const fixtureNames = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort();
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;

const classified = fixtureNames.map((name) => ({ name, outcome: parseEvent(fixture(name)) }));
const accountFixtures = classified.flatMap(({ name, outcome }) => (outcome.kind === 'accounts' ? [{ name, accountIds: outcome.accountIds }] : []));
const otherFixtures = classified.flatMap(({ name, outcome }) => (outcome.kind === 'accounts' ? [] : [{ name, kind: outcome.kind }]));

const METRIC_OF_KIND = {
  invalid: 'EventsMalformed',
  unknown: 'EventsUnknown',
  ignored: 'EventsIgnored',
  reconcile: 'EventsNeedReconcile',
} as const;

const sqsMock = mockClient(SQSClient);

/** What the handler sent: every SendMessageBatch entry, in order. */
function sentEntries(): SendMessageBatchRequestEntry[] {
  return sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

/** SQS accepting every entry, as it answers. */
function acceptAll(): void {
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries?: SendMessageBatchRequestEntry[] }) => ({
    Successful: (input.Entries ?? []).map((entry, index) => ({
      Id: entry.Id,
      MessageId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e',
      SequenceNumber: `1888600000000000000${index}`,
    })),
    Failed: [],
  }));
}

describe('intake handler', () => {
  let output: CapturedOutput;
  let handler: ReturnType<typeof createIntakeHandler>;

  beforeEach(() => {
    sqsMock.reset();
    acceptAll();
    output = captureOutput();
    handler = createIntakeHandler({
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: createLogger('intake'),
      metrics: createMetrics('intake'),
    });
  });

  afterEach(() => output.restore());

  it('the fixtures cover every outcome', () => {
    expect(accountFixtures.length).toBeGreaterThanOrEqual(10);
    expect(new Set(otherFixtures.map((f) => f.kind))).toEqual(new Set(['invalid', 'unknown', 'ignored', 'reconcile']));
  });

  describe.each(accountFixtures)('$name', ({ name, accountIds }) => {
    const event = fixture(name) as { id: string };

    it('sends one message per account: group = account, deduplicated by event and account, body as the worker reads it', async () => {
      await expect(handler(event)).resolves.toEqual({ enqueued: accountIds.length });

      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.args[0].input.QueueUrl).toBe(QUEUE_URL);
      const entries = sentEntries();
      expect(entries).toHaveLength(accountIds.length);
      entries.forEach((entry, index) => {
        const accountId = accountIds[index]!;
        expect(entry.MessageGroupId).toBe(accountId);
        expect(entry.MessageDeduplicationId).toBe(deduplicationId(`${event.id}:${accountId}`));
        expect(entry.MessageDeduplicationId!.length).toBeLessThanOrEqual(128);
        const body = parse(accountMessageSchema, JSON.parse(entry.MessageBody!));
        expect(body).toEqual({ accountId, correlationId: event.id, reason: expect.stringContaining(accountId) });
      });
      expect(new Set(entries.map((e) => e.Id)).size).toBe(entries.length);

      expect(output.metrics()).toEqual({ AccountsEnqueued: accountIds.length });
      const lines = output.logs();
      expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'event enqueued', accountIds, correlationId: event.id })]);
    });

    it('the same event delivered twice yields the same message and deduplication IDs (SQS drops the copy)', async () => {
      await handler(event);
      await handler(structuredClone(event));
      const entries = sentEntries();
      expect(entries).toHaveLength(2 * accountIds.length);
      const first = entries.slice(0, accountIds.length);
      const second = entries.slice(accountIds.length);
      expect(second.map((e) => e.MessageDeduplicationId)).toEqual(first.map((e) => e.MessageDeduplicationId));
      expect(second.map((e) => e.MessageBody)).toEqual(first.map((e) => e.MessageBody));
    });
  });

  it('another event about the same account is a new message (new deduplication ID)', async () => {
    const event = fixture('organizations-tag-resource-account.json') as { id: string };
    await handler(event);
    await handler({ ...event, id: 'c0ffee00-1111-4222-8333-444455556666' });
    const [first, second] = sentEntries();
    expect(first?.MessageGroupId).toBe(second?.MessageGroupId);
    expect(first?.MessageDeduplicationId).not.toBe(second?.MessageDeduplicationId);
  });

  describe.each(otherFixtures)('$name ($kind)', ({ name, kind }) => {
    it('sends nothing, does not throw, logs why and counts it', async () => {
      await expect(handler(fixture(name))).resolves.toEqual({ enqueued: 0 });
      expect(sqsMock.calls()).toHaveLength(0);

      expect(output.metrics()).toEqual({ [METRIC_OF_KIND[kind]]: 1 });
      const [blob] = output.emf();
      expect(blob?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [['service']] });
      expect(blob?.service).toBe('intake');

      const lines = output.logs();
      expect(lines).toEqual([
        expect.objectContaining({
          level: kind === 'ignored' ? 'INFO' : 'WARN',
          message: 'event not enqueued',
          outcome: kind,
          summary: expect.any(String),
        }),
      ]);
      const event = fixture(name) as { id?: unknown } | null;
      const id = typeof event?.id === 'string' ? event.id : '';
      // Powertools leaves out empty keys: an event without an ID has no correlationId.
      expect(lines[0]?.correlationId ?? '').toBe(id);
    });
  });

  it('drops the correlation ID after each event', async () => {
    const logger = createLogger('intake');
    const intake = createIntakeHandler({ sqs: new SQSClient({ region: REGION }), queueUrl: QUEUE_URL, logger, metrics: createMetrics('intake') });
    await intake(fixture('organizations-move-account.json'));
    logger.info('between events');
    expect(output.logs().at(-1)).not.toHaveProperty('correlationId');
  });

  describe('SQS refusals', () => {
    const event = fixture('organizations-create-account-result-succeeded.json') as { id: string };
    const accountId = '345678901234';

    it('retries the refused entries once, only those', async () => {
      sqsMock
        .on(SendMessageBatchCommand)
        .resolvesOnce({ Successful: [], Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError', Message: 'try again' }] })
        .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [] });
      await expect(handler(event)).resolves.toEqual({ enqueued: 1 });
      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]!.args[0].input.Entries).toEqual(calls[0]!.args[0].input.Entries);
    });

    it('retries a partial refusal with the refused entries only, same IDs', async () => {
      const items: EnqueueItem[] = ['210000000001', '210000000002', '210000000003'].map((id) => ({
        accountId: id,
        reason: 'test',
        correlationId: 'run-1',
        deduplicationKey: `run-1:${id}`,
      }));
      sqsMock
        .on(SendMessageBatchCommand)
        .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: 'x' }, { Id: '2', MessageId: 'c', MD5OfMessageBody: 'x' }], Failed: [{ Id: '1', SenderFault: false, Code: 'ServiceUnavailable' }] })
        .resolves({ Successful: [{ Id: '1', MessageId: 'b', MD5OfMessageBody: 'x' }], Failed: [] });
      await enqueueAccounts(new SQSClient({ region: REGION }), QUEUE_URL, items);
      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]!.args[0].input.Entries).toEqual([calls[0]!.args[0].input.Entries![1]]);
      expect(calls[1]!.args[0].input.Entries![0]).toMatchObject({ MessageGroupId: '210000000002', MessageDeduplicationId: deduplicationId('run-1:210000000002') });
    });

    it('refused twice: the handler throws naming the account (EventBridge retries the event), metrics still flushed', async () => {
      sqsMock
        .on(SendMessageBatchCommand)
        .resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError', Message: 'still failing' }] });
      await expect(handler(event)).rejects.toThrow(new RegExp(`${accountId}: InternalError`));
      expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
      expect(output.metrics()).toEqual({});
    });

    it('an SQS error (not a partial refusal) propagates', async () => {
      sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDenied' }));
      await expect(handler(event)).rejects.toThrow('denied');
    });
  });

  describe('batches', () => {
    const items = (count: number): EnqueueItem[] =>
      Array.from({ length: count }, (_, i) => {
        const accountId = String(300000000000 + i);
        return { accountId, reason: 'scheduled reconcile', correlationId: 'reconcile-x', deduplicationKey: `reconcile-x:${accountId}` };
      });

    it.each([
      [1, [1]],
      [10, [10]],
      [11, [10, 1]],
      [23, [10, 10, 3]],
    ])('%i accounts are sent in batches of %j', async (count, sizes) => {
      await enqueueAccounts(new SQSClient({ region: REGION }), QUEUE_URL, items(count));
      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual(sizes);
      for (const call of calls) {
        const ids = call.args[0].input.Entries!.map((e) => e.Id);
        expect(new Set(ids).size).toBe(ids.length);
      }
      expect(sentEntries().map((e) => e.MessageGroupId)).toEqual(items(count).map((i) => i.accountId));
    });

    it('nothing to send: no call', async () => {
      await enqueueAccounts(new SQSClient({ region: REGION }), QUEUE_URL, []);
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('a refusal in the second batch retries only there; the error names the account', async () => {
      sqsMock
        .on(SendMessageBatchCommand)
        .resolvesOnce({ Successful: [], Failed: [] })
        .resolves({ Successful: [], Failed: [{ Id: '2', SenderFault: true, Code: 'InvalidParameterValue' }] });
      await expect(enqueueAccounts(new SQSClient({ region: REGION }), QUEUE_URL, items(13))).rejects.toThrow(
        'SQS refused 1 message(s): 300000000012: InvalidParameterValue',
      );
      const calls = sqsMock.commandCalls(SendMessageBatchCommand);
      expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 3, 1]);
    });
  });
});
