/**
 * The worker Lambda (SQS FIFO -> converge) with its REAL pipeline dependencies: the real AWS
 * SDK clients against the AWS stand-in (through AWS_ENDPOINT_URL) and the real Datadog
 * client against the Datadog stand-in. Only SQS (ChangeMessageVisibility) is mocked.
 * Partial batch failures, FIFO group order, poison messages, retry delays, EMF metrics,
 * log correlation and no key in any output. Under datadog.apiVersion v1 and v2 alike.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig, type Config } from '../../lambda/config/schema';
import { convergeAccount } from '../../lambda/converge';
import { pipelineDependencies, type PipelineDependencies } from '../../lambda/dependencies';
import { createWorkerHandler, FACTS_MAX_AGE_MS, retryDelaySeconds } from '../../lambda/queue/worker';
import { createLogger, createMetrics, METRICS_NAMESPACE } from '../../lambda/report/telemetry';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_VERSIONS, missingRoleActions, newAccountActions } from '../support/api-version';
import { accountRecord, lambdaContext, MANAGEMENT_ACCOUNT_ID, QUEUE_URL, REGION, sqsEvent, sqsFifoRecord } from './events';
import { captureOutput, type CapturedOutput, type LogLine } from './output';

const API_KEY = 'worker-api-key-0123456789abcdef';
const APP_KEY = 'worker-app-key-fedcba9876543210abcd';
const ROLE = 'DatadogIntegrationRole';

const sqsMock = mockClient(SQSClient);

describe('retryDelaySeconds', () => {
  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [4, 240],
    [5, 480],
    [6, 900],
    [7, 900],
    [10, 900],
    [100, 900],
    [5000, 900],
  ])('receive %i -> %i s', (receiveCount, seconds) => {
    expect(retryDelaySeconds(receiveCount)).toBe(seconds);
  });

  it('a count below 1 is treated as the first receive', () => {
    expect(retryDelaySeconds(0)).toBe(30);
    expect(retryDelaySeconds(-3)).toBe(30);
  });

  it('never decreases and never exceeds 15 minutes', () => {
    let previous = 0;
    for (let n = 1; n <= 50; n++) {
      const delay = retryDelaySeconds(n);
      expect(delay).toBeGreaterThanOrEqual(previous);
      expect(delay).toBeLessThanOrEqual(900);
      previous = delay;
    }
  });
});

describe.each(API_VERSIONS)('worker handler against the AWS and Datadog stand-ins, datadog.apiVersion %s', (apiVersion) => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  let restoreEnv: () => void;
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let workloads: string;
  let config: Config;
  let pipeline: PipelineDependencies;
  let output: CapturedOutput;
  let handler: ReturnType<typeof createWorkerHandler>;

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
    // The real SDK clients find the stand-in through the process environment, as in Lambda.
    restoreEnv = pointProcessAt(aws, { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY });
    datadog.reset();
    sqsMock.reset();
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    config = parseConfig({ datadog: { apiUrl: datadog.url, apiVersion } }, 'test config');
    pipeline = pipelineDependencies(config, process.env);
    output = captureOutput();
    handler = createWorkerHandler({
      config,
      pipeline,
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: createLogger('worker'),
      metrics: createMetrics('worker'),
    });
  });

  afterEach(async () => {
    output.restore();
    await aws.stop();
    restoreEnv();
  });

  const context = () => lambdaContext('datadog-aws-org-integration-worker');
  const ours = (accountId: string) => datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);
  const visibilityChanges = () => sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
  const resultLines = () => output.logs().filter((line) => line.message !== 'malformed queue message');
  const lineFor = (accountId: string): LogLine | undefined => output.logs().find((line) => line.accountId === accountId);
  const actionsOf = (types: string[]) => types.map((type) => expect.objectContaining({ type }));
  const assumeCallsInto = (accountId: string) =>
    model.callsTo('sts', 'AssumeRole').filter((call) => String(call.params.RoleArn).includes(`::${accountId}:`));

  /** An account already converged by an earlier run: in sync. */
  async function convergedAccount(name: string): Promise<string> {
    const accountId = model.createAccount({ name, parentId: workloads });
    const result = await convergeAccount(accountId, { config, deps: pipeline, dryRun: false });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('ok');
    return accountId;
  }

  it('a batch of three accounts: onboards the new one, delays and reports only the one not assumable yet, passes the one in sync', async () => {
    const fresh = model.createAccount({ name: 'fresh', parentId: workloads, assumableAfterAttempts: 1 });
    const created = model.createAccount({ name: 'created', parentId: workloads });
    const inSync = await convergedAccount('steady');
    const writesAbout = (accountId: string) => datadog.requests.filter((r) => r.method !== 'GET' && JSON.stringify(r.body ?? null).includes(accountId)).length;
    const inSyncWritesBefore = writesAbout(inSync);
    const iamWritesBefore = model.iamWrites(inSync).length;

    const freshRecord = accountRecord(fresh, { receiveCount: 3 });
    const event = sqsEvent(freshRecord, accountRecord(created), accountRecord(inSync));
    const response = await handler(event, context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: freshRecord.messageId }] });
    // The not-yet-assumable account comes back later, with a delay growing per receive.
    expect(visibilityChanges()).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: freshRecord.receiptHandle, VisibilityTimeout: retryDelaySeconds(3) }]);
    expect(retryDelaySeconds(3)).toBe(120);
    expect(ours(fresh)).toBeUndefined();

    // The new account is onboarded: integration in Datadog, role in the account.
    expect(ours(created)?.external_id).toMatch(/^[0-9a-f]{32}$/);
    expect(model.canAssume(created, ROLE, { principalAccount: '464622532012', externalId: ours(created)?.external_id })).toBe(true);
    // The one in sync costs no write.
    expect(model.iamWrites(inSync)).toHaveLength(iamWritesBefore);
    expect(writesAbout(inSync)).toBe(inSyncWritesBefore);
    expect(writesAbout(created)).toBeGreaterThan(0);

    expect(lineFor(fresh)).toMatchObject({ level: 'WARN', message: 'account to retry later', status: 'retry', error: expect.stringContaining('retry later') });
    expect(lineFor(created)).toMatchObject({
      level: 'INFO',
      message: 'account converged',
      status: 'ok',
      actions: actionsOf(newAccountActions(apiVersion)),
    });
    expect(lineFor(inSync)).toMatchObject({ level: 'INFO', status: 'ok', actions: [expect.objectContaining({ type: 'none' })] });
    expect(output.metrics()).toEqual({ Onboarded: 1, AccountRetry: 1 });

    // Next receive: the account is assumable now and converges.
    sqsMock.resetHistory();
    const again = await handler(sqsEvent(accountRecord(fresh, { receiveCount: 4 })), context());
    expect(again).toEqual({ batchItemFailures: [] });
    expect(ours(fresh)).toBeDefined();
    expect(visibilityChanges()).toEqual([]);
  });

  it('a failure holds back the later messages of its own group only (FIFO order), other groups proceed', async () => {
    const fresh = model.createAccount({ name: 'fresh', parentId: workloads, assumableAfterAttempts: 1 });
    const other = model.createAccount({ name: 'other', parentId: workloads });
    const first = accountRecord(fresh, { correlationId: 'event-1' });
    const otherRecord = accountRecord(other);
    const second = accountRecord(fresh, { correlationId: 'event-2' });

    const response = await handler(sqsEvent(first, otherRecord, second), context());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }, { itemIdentifier: second.messageId }]);
    // The second message of the group was not worked on (it would now succeed: out of order).
    expect(assumeCallsInto(fresh)).toHaveLength(1);
    expect(ours(fresh)).toBeUndefined();
    expect(output.logs().filter((l) => l.accountId === fresh)).toHaveLength(1);
    expect(visibilityChanges()).toEqual([expect.objectContaining({ ReceiptHandle: first.receiptHandle, VisibilityTimeout: 30 })]);
    // The other account's group went on.
    expect(ours(other)).toBeDefined();
    expect(output.metrics()).toEqual({ AccountRetry: 1, Onboarded: 1 });
  });

  it('every message of a batch failing is a full partial response, not a thrown error', async () => {
    const fresh = model.createAccount({ name: 'fresh', parentId: workloads, assumableAfterAttempts: 2 });
    const a = accountRecord(fresh);
    const b = sqsFifoRecord({ groupId: 'garbage', body: 'not json' });
    await expect(handler(sqsEvent(a, b), context())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: a.messageId }, { itemIdentifier: b.messageId }],
    });
  });

  describe('poison messages fail (and reach the DLQ after maxReceiveCount receives); the others succeed', () => {
    it.each([
      ['not JSON', '{"accountId": "345678901234"'],
      ['a short account ID', { accountId: '123', reason: 'x', correlationId: 'y' }],
      ['a numeric account ID', { accountId: 345678901234 }],
      ['no account ID', { reason: 'x' }],
      ['JSON null', 'null'],
      ['a reason over 500 characters', { accountId: '345678901234', reason: 'x'.repeat(501) }],
      // The marker names the organization ID: a message cannot put anything else there.
      [
        'facts with an organization ID that is not one',
        {
          accountId: '345678901234',
          facts: { observedAt: new Date().toISOString(), partition: 'aws', organizationId: 'o-x:*', state: 'ACTIVE', parentPath: [], tags: {}, tagsRead: true, isManagementAccount: false },
        },
      ],
    ])('%s', async (_label, body) => {
      const good = model.createAccount({ name: 'good', parentId: workloads });
      const poison = sqsFifoRecord({ groupId: 'poison-group', body, receiveCount: 7 });
      const goodRecord = accountRecord(good);

      const response = await handler(sqsEvent(poison, goodRecord), context());

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
      expect(ours(good)).toBeDefined();
      const errors = output.logs().filter((line) => line.message === 'malformed queue message');
      expect(errors).toEqual([expect.objectContaining({ level: 'ERROR', messageId: poison.messageId })]);
      // Nothing about the account of the next record leaks onto the poison line, or the reverse.
      expect(errors[0]).not.toHaveProperty('accountId');
      expect(lineFor(good)).toMatchObject({ status: 'ok' });
      // No account work and no retry delay for a message that can never succeed.
      expect(visibilityChanges()).toEqual([]);
      expect(model.calls.filter((c) => JSON.stringify(c.params).includes('345678901234'))).toHaveLength(0);
    });
  });

  it('publishes Onboarded, Offboarded, DriftRepaired, AccountFailed and AccountRetry as EMF metrics', async () => {
    const created = model.createAccount({ name: 'created', parentId: workloads });
    const closing = await convergedAccount('closing');
    model.closeAccount(closing, { immediate: true });
    const drifted = await convergedAccount('drifted');
    model.deleteRoleByHand(drifted, ROLE);
    const invited = model.createAccount({ name: 'invited', parentId: workloads, joinedMethod: 'INVITED', joinedTimestamp: new Date('2020-01-01') });
    const fresh = model.createAccount({ name: 'fresh', parentId: workloads, assumableAfterAttempts: 1 });
    const inSync = await convergedAccount('steady');

    const records = [created, closing, drifted, invited, fresh, inSync].map((id) => accountRecord(id));
    const response = await handler(sqsEvent(...records), context());

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[3]!.messageId, records[4]!.messageId]);
    expect(output.metrics()).toEqual({ Onboarded: 1, Offboarded: 1, DriftRepaired: 1, AccountFailed: 1, AccountRetry: 1 });
    // One EMF document per invocation, in our namespace, by service.
    const blobs = output.emf();
    expect(blobs).toHaveLength(1);
    expect(blobs[0]!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service']],
        Metrics: expect.arrayContaining(['Onboarded', 'Offboarded', 'DriftRepaired', 'AccountFailed', 'AccountRetry'].map((Name) => ({ Name, Unit: 'Count' }))),
      },
    ]);
    expect(blobs[0]!.service).toBe('worker');

    expect(lineFor(closing)).toMatchObject({ status: 'ok', actions: [expect.objectContaining({ type: 'delete-integration' })] });
    expect(ours(closing)).toBeUndefined();
    expect(lineFor(drifted)).toMatchObject({ actions: actionsOf(missingRoleActions(apiVersion)) });
    expect(lineFor(invited)).toMatchObject({ level: 'ERROR', message: 'account failed', status: 'error', error: expect.stringContaining('role.memberAccessRoleName') });
    // A non-retryable error is also delayed: the operator may fix it; the DLQ takes it after N receives.
    expect(visibilityChanges().map((c) => c.ReceiptHandle)).toEqual([records[3]!.receiptHandle, records[4]!.receiptHandle]);
  });

  it('a batch with nothing to change publishes no metric (and does not fail)', async () => {
    const inSync = await convergedAccount('steady');
    await expect(handler(sqsEvent(accountRecord(inSync)), context())).resolves.toEqual({ batchItemFailures: [] });
    expect(output.emf()).toEqual([]);
  });

  it('every log line about a record carries its accountId and correlationId, and only its own', async () => {
    const a = model.createAccount({ name: 'a', parentId: workloads });
    const b = model.createAccount({ name: 'b', parentId: workloads, assumableAfterAttempts: 1 });
    const c = await convergedAccount('c');
    const invited = model.createAccount({ name: 'invited', parentId: workloads, joinedMethod: 'INVITED', joinedTimestamp: new Date('2020-01-01') });
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(Object.assign(new Error('The receipt handle has expired'), { name: 'ReceiptHandleIsInvalid' }));
    const records: SQSRecord[] = [
      accountRecord(a, { correlationId: 'd23f0824-128b-4f33-8c5c-7fd0a6a3a450' }),
      accountRecord(b, { correlationId: 'reconcile-1a358ca0' }),
      // An old message without a correlation ID: the SQS message ID stands in.
      sqsFifoRecord({ groupId: c, body: { accountId: c } }),
      accountRecord(invited, { correlationId: 'event-invited' }),
    ];
    const expected = new Map(
      records.map((record) => {
        const body = JSON.parse(record.body) as { accountId: string; correlationId?: string };
        return [body.accountId, body.correlationId || record.messageId];
      }),
    );

    const response = await handler(sqsEvent(...records), context());
    expect(response.batchItemFailures).toHaveLength(2);

    const lines = resultLines();
    // One result line per account, plus a warning for each retry delay that SQS refused.
    expect(lines.map((l) => l.message).sort()).toEqual(
      ['account converged', 'account converged', 'account failed', 'account to retry later', 'could not delay the retry', 'could not delay the retry'].sort(),
    );
    for (const line of lines) {
      expect(line.accountId).toEqual(expect.stringMatching(/^\d{12}$/));
      expect(line.correlationId).toBe(expected.get(line.accountId as string));
    }
    expect(lines.find((l) => l.message === 'could not delay the retry')).toMatchObject({ level: 'WARN', error: 'The receipt handle has expired' });

    // Keys are dropped after the batch: nothing leaks into the next invocation's lines.
    output.clear();
    await handler(sqsEvent(sqsFifoRecord({ groupId: 'x', body: 'garbage' })), context());
    expect(output.logs().filter((l) => l.message === 'malformed queue message')).toEqual([
      expect.not.objectContaining({ accountId: expect.anything() }),
    ]);
    expect(output.logs().some((l) => 'correlationId' in l)).toBe(false);
  });

  it('no output ever contains the Datadog API key or application key, even when Datadog echoes it', async () => {
    const rejected = model.createAccount({ name: 'rejected', parentId: workloads });
    const created = model.createAccount({ name: 'created', parentId: workloads });
    const closing = await convergedAccount('closing');
    model.closeAccount(closing, { immediate: true });
    const fresh = model.createAccount({ name: 'fresh', parentId: workloads, assumableAfterAttempts: 1 });
    // The first Datadog call of the batch (the first record's list) is refused, quoting both keys.
    datadog.inject({
      kind: 'status',
      status: 403,
      body: { errors: [`Forbidden: API key ${API_KEY} with application key ${APP_KEY} is not valid`] },
    });

    const records = [rejected, created, closing, fresh].map((id) => accountRecord(id));
    const response = await handler(sqsEvent(...records, sqsFifoRecord({ groupId: 'bad', body: `{"apiKey":"x"` })), context());

    expect(response.batchItemFailures).toHaveLength(3);
    // Datadog's echo reached the log line, with the keys masked.
    expect(lineFor(rejected)).toMatchObject({ status: 'error', error: expect.stringMatching(/403.*API key \[redacted\] with application key \[redacted\]/) });
    const text = output.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).toContain(rejected);
    for (const secret of [API_KEY, APP_KEY]) {
      expect(text).not.toContain(secret);
      // Nor a sizeable piece of it.
      expect(text).not.toContain(secret.slice(0, 16));
      expect(text).not.toContain(secret.slice(-16));
    }
  });

  describe('the facts a reconcile passes in the message', () => {
    const factsFor = (accountId: string, overrides: Record<string, unknown> = {}) => ({
      observedAt: new Date().toISOString(),
      partition: 'aws',
      state: 'ACTIVE',
      name: model.getAccount(accountId)!.name,
      parentPath: [model.rootId, workloads],
      tags: {},
      tagsRead: false,
      isManagementAccount: false,
      integrations: [],
      ...overrides,
    });
    const organizationsReadsOf = (accountId: string) =>
      model.calls.filter((c) => c.service === 'organizations' && JSON.stringify(c.params).includes(accountId));

    it('on a first receive: used instead of Organizations reads; Datadog is listed afresh before creating', async () => {
      const accountId = model.createAccount({ name: 'fresh-facts', parentId: workloads });
      const response = await handler(sqsEvent(accountRecord(accountId, { facts: factsFor(accountId) })), context());
      expect(response.batchItemFailures).toEqual([]);
      expect(ours(accountId)).toBeDefined();
      expect(organizationsReadsOf(accountId)).toEqual([]);
      // No integration of ours in the facts: another message may have created it since, so Datadog is asked.
      const gets = datadog.requests.filter((r) => r.method === 'GET');
      // One list filtered by the account (v2 names the filter aws_account_id).
      expect(gets.filter((r) => !r.path.includes('/iam_permissions')).map((r) => r.query)).toEqual([
        apiVersion === 'v2' ? { aws_account_id: accountId } : { account_id: accountId },
      ]);
      // Datadog's permission lists, read for the new role (once per process: cached).
      expect(gets.filter((r) => r.path.includes('/iam_permissions')).map((r) => r.path).sort()).toEqual([
        '/api/v2/integration/aws/iam_permissions/resource_collection',
        '/api/v2/integration/aws/iam_permissions/standard',
      ]);
    });

    it('with our integration in the facts: no Organizations and no Datadog read (a role check costs only STS and IAM)', async () => {
      const accountId = await convergedAccount('checked');
      const stored = ours(accountId)!;
      // As a reconcile lists it. v2's form differs from v1's: the external ID, and namespace rules
      // read back from exclude_only (Datadog's default exclusions as CloudWatch names), so it is taken from a v2 listing.
      const v1Integration = {
        accountId,
        auth: { kind: 'role', roleName: ROLE },
        settings: {
          hostTags: stored.host_tags ?? [],
          filterTags: [],
          excludedRegions: [],
          namespaceRules: {},
          metricsCollection: true,
          cspmResourceCollection: false,
          extendedResourceCollection: false,
        },
      };
      const integration = apiVersion === 'v2' ? (await pipeline.datadog.listIntegrations({ accountId }))[0] : v1Integration;
      if (apiVersion === 'v2') expect(integration).toMatchObject({ ...v1Integration, externalId: stored.external_id, settings: expect.any(Object) });
      model.clearCalls();
      datadog.requests.length = 0;
      const response = await handler(sqsEvent(accountRecord(accountId, { facts: factsFor(accountId, { integrations: [integration] }) })), context());
      expect(response.batchItemFailures).toEqual([]);
      expect(organizationsReadsOf(accountId)).toEqual([]);
      expect(datadog.requests).toEqual([]);
      expect(model.calls.map((c) => c.service)).toEqual(expect.arrayContaining(['sts', 'iam']));
    });

    it("with our organization's ID in the facts: not even DescribeOrganization is read", async () => {
      const accountId = model.createAccount({ name: 'org-facts', parentId: workloads });
      const response = await handler(sqsEvent(accountRecord(accountId, { facts: factsFor(accountId, { organizationId: model.organizationId }) })), context());
      expect(response.batchItemFailures).toEqual([]);
      expect(ours(accountId)?.host_tags).toContain(`datadog-aws-org-integration:${model.organizationId}`);
      expect(model.callsTo('organizations', 'DescribeOrganization')).toEqual([]);
    });

    it.each([
      ['a retried message (the first attempt may have changed things)', { receiveCount: 2 }, {}],
      ['facts older than FACTS_MAX_AGE_MS (an hour)', {}, { observedAt: new Date(Date.now() - FACTS_MAX_AGE_MS - 60 * 1000).toISOString() }],
      ['facts of an account that is not active (offboarding re-reads)', {}, { state: 'SUSPENDED' }],
    ])('not used for %s: Organizations is read again', async (_name, recordOptions, factOverrides) => {
      const accountId = model.createAccount({ name: 'stale-facts', parentId: workloads });
      await handler(sqsEvent(accountRecord(accountId, { ...recordOptions, facts: factsFor(accountId, factOverrides) })), context());
      expect(organizationsReadsOf(accountId).map((c) => c.operation)).toContain('DescribeAccount');
    });
  });

  it('a message from a reconcile whose deletion guard tripped (holdDeletions): the account is converged, nothing deleted', async () => {
    const closing = await convergedAccount('held');
    model.closeAccount(closing, { immediate: true });
    const record = sqsFifoRecord({ groupId: closing, body: { accountId: closing, reason: 'scheduled reconcile', correlationId: 'run', holdDeletions: true } });
    const response = await handler(sqsEvent(record), context());
    expect(response.batchItemFailures).toEqual([]);
    expect(ours(closing)).toBeDefined();
    expect(datadog.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(output.logs()).toContainEqual(expect.objectContaining({ accountId: closing, actions: [{ type: 'none', reason: 'deletion held: the deletion guard tripped in this run' }] }));
  });

  it('dry run: the plan is logged, nothing is written, no metric is counted', async () => {
    const dryHandler = createWorkerHandler({
      config,
      pipeline,
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: createLogger('worker'),
      metrics: createMetrics('worker'),
      dryRun: true,
    });
    const created = model.createAccount({ name: 'created', parentId: workloads });
    await expect(dryHandler(sqsEvent(accountRecord(created)), context())).resolves.toEqual({ batchItemFailures: [] });
    expect(lineFor(created)).toMatchObject({ dryRun: true, actions: actionsOf(newAccountActions(apiVersion)) });
    expect(datadog.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(model.iamWrites()).toHaveLength(0);
    expect(output.emf()).toEqual([]);
  });
});
