/**
 * The worker's time budget, against the AWS and Datadog stand-ins (only SQS is mocked): it never
 * starts an account it cannot finish before the Lambda timeout, and a 429 whose reset outlasts
 * the time left returns the message at once instead of timing the batch out. Neither is a
 * failure of the account (no AccountFailed / AccountRetry, no growing retry delay).
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig, type Config } from '../../lambda/config/schema';
import { pipelineDependencies } from '../../lambda/dependencies';
import { TimeBudget } from '../../lambda/domain/time-budget';
import { accountReserveMs, createWorkerHandler, POSTPONED_VISIBILITY_SECONDS } from '../../lambda/queue/worker';
import { createLogger, createMetrics } from '../../lambda/report/telemetry';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { accountRecord, lambdaContext, MANAGEMENT_ACCOUNT_ID, QUEUE_URL, REGION, sqsEvent } from './events';
import { captureOutput, type CapturedOutput } from './output';

const API_KEY = 'budget-api-key-0123456789abcdef';
const APP_KEY = 'budget-app-key-fedcba9876543210abcd';
const ROLE = 'DatadogIntegrationRole';

const sqsMock = mockClient(SQSClient);

describe('worker time budget, datadog.apiVersion v1', () => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  let restoreEnv: () => void;
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let workloads: string;
  let config: Config;
  let output: CapturedOutput;
  let handler: ReturnType<typeof createWorkerHandler>;

  beforeAll(() => datadog.start());
  afterAll(() => datadog.stop());

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT_ACCOUNT_ID });
    workloads = model.createOu('Workloads');
    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws, { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY });
    datadog.reset();
    sqsMock.reset();
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    config = parseConfig({ datadog: { apiUrl: datadog.url, apiVersion: 'v1' } }, 'test config');
    const budget = new TimeBudget();
    output = captureOutput();
    handler = createWorkerHandler({
      config,
      pipeline: pipelineDependencies(config, process.env, { budget }),
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: createLogger('worker'),
      metrics: createMetrics('worker'),
      budget,
    });
  });

  afterEach(async () => {
    output.restore();
    await aws.stop();
    restoreEnv();
  });

  const withRemaining = (ms: number) => lambdaContext('datadog-aws-org-integration-worker', { getRemainingTimeInMillis: () => ms });
  const visibilityChanges = () => sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
  const ours = (accountId: string) => datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);

  it('the reserve is one Datadog request timeout and its retry', () => {
    expect(accountReserveMs(config)).toBe(2 * config.datadog.requestTimeoutMs);
    expect(accountReserveMs(config)).toBe(30_000);
  });

  it('less time left than an account may need: starts none, returns every message at once, fails no account', async () => {
    const first = model.createAccount({ name: 'first', parentId: workloads });
    const second = model.createAccount({ name: 'second', parentId: workloads });
    const records = [accountRecord(first), accountRecord(second)];

    const response = await handler(sqsEvent(...records), withRemaining(accountReserveMs(config) - 1));

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(records.map((r) => r.messageId).sort());
    expect(visibilityChanges()).toEqual(
      records.map((r) => ({ QueueUrl: QUEUE_URL, ReceiptHandle: r.receiptHandle, VisibilityTimeout: POSTPONED_VISIBILITY_SECONDS })),
    );
    // Nothing was started: no Organizations read, no role assumed, no Datadog call.
    expect(model.callsTo('sts', 'AssumeRole')).toHaveLength(0);
    expect(datadog.requests).toHaveLength(0);
    expect(output.metrics()).toEqual({});
    expect(output.logs().filter((line) => line.level === 'ERROR' || line.level === 'WARN')).toEqual([]);
  });

  it('time for the first message of a group only: converges it and returns the next unstarted', async () => {
    const accountId = model.createAccount({ name: 'first', parentId: workloads });
    // Two messages of one group (one account) run in order, so the second starts after the first.
    const records = [accountRecord(accountId), accountRecord(accountId)];
    const reserve = accountReserveMs(config);
    // The time left falls below the reserve once the account is converged.
    const context = lambdaContext('datadog-aws-org-integration-worker', { getRemainingTimeInMillis: () => (ours(accountId) ? reserve - 1 : reserve) });

    const response = await handler(sqsEvent(...records), context);

    expect(ours(accountId)).toBeDefined();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }] });
    expect(visibilityChanges()).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: records[1]!.receiptHandle, VisibilityTimeout: POSTPONED_VISIBILITY_SECONDS }]);
    expect(output.metrics()).toEqual({ Onboarded: 1 });
  });

  it("a 429 whose reset outlasts the time left: no wait, the message back at once, the account not failed", async () => {
    const accountId = model.createAccount({ name: 'throttled', parentId: workloads });
    const record = accountRecord(accountId);
    // Within datadog.maxRetryWaitSeconds (60 s), so without a budget the client would wait 50 s.
    // On the account's listing (Datadog's permission lists are read alongside it).
    const listing = /^\/api\/v1\/integration\/aws$/;
    datadog.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '50', 'X-RateLimit-Limit': '100', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0' }, only: listing });

    const response = await handler(sqsEvent(record), withRemaining(60_000));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(visibilityChanges()).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: record.receiptHandle, VisibilityTimeout: POSTPONED_VISIBILITY_SECONDS }]);
    expect(datadog.requests.filter((r) => listing.test(r.path))).toHaveLength(1);
    expect(output.metrics()).toEqual({});
    expect(output.logs()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'account postponed to the next invocation', accountId }));
  });

  it('a 429 whose reset fits in the time left is waited for as before', async () => {
    const accountId = model.createAccount({ name: 'waits', parentId: workloads });
    datadog.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '1' } });

    const response = await handler(sqsEvent(accountRecord(accountId)), withRemaining(60_000));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ours(accountId)).toBeDefined();
  });
});
