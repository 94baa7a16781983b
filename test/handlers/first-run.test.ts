/**
 * The first run after a deploy, against the AWS and Datadog stand-ins: until the Datadog keys
 * are stored in the secret (the stack creates it holding {"apiKey":"","appKey":""}), the worker
 * reports accounts as "retry later" without failing them into the DLQ and the reconcile exits
 * cleanly; once they are there, the same messages converge. Also: a reconcile that finds
 * another in progress exits cleanly, and with role.memberAccessMode "dedicated" an account
 * whose StackSet instance has not landed yet is "retry later", not failed.
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig, type Config } from '../../lambda/config/schema';
import { PLACEHOLDER_KEYS } from '../../lambda/datadog/credentials';
import { pipelineDependencies } from '../../lambda/dependencies';
import { organizationDependencies } from '../../lambda/organization-dependencies';
import { createWorkerHandler } from '../../lambda/queue/worker';
import { createReconcileHandler } from '../../lambda/reconcile/reconcile';
import { createLogger, createMetrics } from '../../lambda/report/telemetry';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { accountRecord, lambdaContext, MANAGEMENT_ACCOUNT_ID, QUEUE_URL, REGION, scheduledEvent, sqsEvent } from './events';
import { captureOutput, type CapturedOutput } from './output';

const API_KEY = 'first-run-api-key-0123456789abcdef';
const APP_KEY = 'first-run-app-key-fedcba9876543210ab';
const SECRET = 'datadog-aws-org-integration/datadog-keys-5c9d6a70';
const ROLE = 'DatadogIntegrationRole';

const sqsMock = mockClient(SQSClient);

describe('first run: the Datadog keys not stored yet', () => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let restoreEnv: () => void;
  let output: CapturedOutput;
  let workloads: string;

  beforeAll(async () => {
    await datadog.start();
  });
  afterAll(async () => {
    await datadog.stop();
  });

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT_ACCOUNT_ID });
    workloads = model.createOu('Workloads');
    aws = await startAwsStandin(model);
    // No DD_API_KEY / DD_APP_KEY: the deployed functions read the secret only.
    restoreEnv = pointProcessAt(aws, {});
    datadog.reset();
    sqsMock.reset();
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries?: SendMessageBatchRequestEntry[] }) => ({
      Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
      Failed: [],
    }));
    output = captureOutput();
  });

  afterEach(async () => {
    output.restore();
    await aws.stop();
    restoreEnv();
  });

  const configWith = (rest: object = {}): Config =>
    parseConfig({ ...rest, datadog: { apiUrl: datadog.url, apiVersion: 'v2', credentialsSecretId: SECRET } }, 'test config');

  function worker(config: Config) {
    return createWorkerHandler({
      config,
      pipeline: pipelineDependencies(config, process.env),
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: createLogger('worker'),
      metrics: createMetrics('worker'),
    });
  }

  function reconcile(config: Config) {
    return createReconcileHandler({
      config,
      organization: { ...organizationDependencies(config, process.env), now: () => new Date() },
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: createLogger('reconcile'),
      metrics: createMetrics('reconcile'),
      dryRun: false,
    });
  }

  const context = () => lambdaContext('datadog-aws-org-integration-worker');

  it.each([
    ['the placeholder the stack writes', JSON.stringify(PLACEHOLDER_KEYS)],
    ['an empty JSON object', '{}'],
    ['only the API key', JSON.stringify({ apiKey: API_KEY })],
    ['an empty application key', JSON.stringify({ apiKey: API_KEY, appKey: '  ' })],
  ])('secret holding %s: the worker says "retry later", fails no message (no DLQ), calls Datadog not at all', async (_what, value) => {
    model.putSecret(SECRET, value);
    const accountId = model.createAccount({ name: 'waiting', parentId: workloads });
    const record = accountRecord(accountId, { receiveCount: 14 });

    const response = await worker(configWith())(sqsEvent(record), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand)).toEqual([]);
    expect(datadog.requests).toEqual([]);
    const line = output.logs().find((l) => l.accountId === accountId);
    expect(line).toMatchObject({ level: 'WARN', message: 'account to retry later', status: 'retry', error: expect.stringContaining(SECRET) });
    expect(output.metrics()).toEqual({ AccountRetry: 1 });
    expect(output.text()).not.toContain(API_KEY);
  });

  it('once the keys are stored, the same message converges the account', async () => {
    model.putSecret(SECRET, JSON.stringify(PLACEHOLDER_KEYS));
    const accountId = model.createAccount({ name: 'waiting', parentId: workloads });
    const handler = worker(configWith());
    await handler(sqsEvent(accountRecord(accountId)), context());
    expect(datadog.stored().find((a) => a.account_id === accountId)).toBeUndefined();

    // The operator stores the keys; a new process (the reconcile the EventBridge rule starts enqueues it again).
    model.putSecret(SECRET, JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }));
    const response = await worker(configWith())(sqsEvent(accountRecord(accountId)), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE)).toBeDefined();
  });

  it('a secret that does not exist is a setup error: the message fails towards the DLQ', async () => {
    const accountId = model.createAccount({ name: 'misconfigured', parentId: workloads });
    const record = accountRecord(accountId);
    const response = await worker(configWith())(sqsEvent(record), context());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(output.metrics()).toEqual({ AccountFailed: 1 });
  });

  it('the reconcile before the keys are stored exits cleanly: no error, nothing enqueued, says why', async () => {
    model.putSecret(SECRET, JSON.stringify(PLACEHOLDER_KEYS));
    model.createAccount({ name: 'waiting', parentId: workloads });

    const summary = await reconcile(configWith())(scheduledEvent({ id: 'first' }));

    expect(summary).toMatchObject({ runId: 'reconcile-first', skipped: 'the Datadog keys are not stored yet', enqueued: 0 });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toEqual([]);
    expect(output.logs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'reconcile waits for the Datadog keys' }));
  });

  it('a reconcile that finds another in progress exits cleanly; the one in progress completes; the next one runs', async () => {
    model.putSecret(SECRET, JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }));
    const accountId = model.createAccount({ name: 'new', parentId: workloads });
    const handler = reconcile(configWith());

    const [first, second] = await Promise.all([handler(scheduledEvent({ id: 'one' })), handler(scheduledEvent({ id: 'two' }))]);

    expect(second).toMatchObject({ runId: 'reconcile-two', skipped: 'another reconcile is in progress', accounts: 0, enqueued: 0 });
    expect(first.skipped).toBeUndefined();
    expect(first.enqueued).toBe(1);
    const bodies = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []).map((e) => e.MessageBody ?? '');
    expect(bodies).toEqual([expect.stringContaining(accountId)]);
    expect(output.logs()).toContainEqual(expect.objectContaining({ message: 'reconcile skipped: another run is in progress', runInProgress: 'reconcile-one' }));

    const third = await handler(scheduledEvent({ id: 'three' }));
    expect(third.skipped).toBeUndefined();
    expect(third.enqueued).toBe(1);
  });

  it('role.memberAccessMode "dedicated": an account whose role has not landed yet is "retry later" (even long after it joined), then converges', async () => {
    model.putSecret(SECRET, JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }));
    const config = configWith({ role: { memberAccessMode: 'dedicated' } });
    expect(config.role.memberAccessRoleName).toBe('DatadogOrgIntegrationMemberAccess');
    // An old account: only the administrator role is there, the StackSet's has not landed.
    const old = model.createAccount({ name: 'old', parentId: workloads, joinedTimestamp: new Date('2020-01-01T00:00:00Z') });
    const record = accountRecord(old, { receiveCount: 2 });

    const response = await worker(config)(sqsEvent(record), context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(output.logs().find((l) => l.accountId === old)).toMatchObject({
      level: 'WARN',
      status: 'retry',
      error: expect.stringContaining('StackSet'),
    });
    expect(output.metrics()).toEqual({ AccountRetry: 1 });

    // The same account under "existing" mode and a missing role is a setup error.
    const existing = configWith({ role: { memberAccessRoleName: 'NoSuchRole' } });
    output.restore();
    output = captureOutput();
    await worker(existing)(sqsEvent(accountRecord(old)), context());
    expect(output.metrics()).toEqual({ AccountFailed: 1 });

    // The StackSet's instance lands: the dedicated role is there.
    const landed = model.createAccount({ name: 'landed', parentId: workloads, memberRoleName: 'DatadogOrgIntegrationMemberAccess' });
    const again = await worker(config)(sqsEvent(accountRecord(landed)), context());
    expect(again).toEqual({ batchItemFailures: [] });
    expect(datadog.stored().find((a) => a.account_id === landed && a.role_name === ROLE)).toBeDefined();
  });
});
