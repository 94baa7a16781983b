/**
 * The reconcile Lambda (schedule -> SQS FIFO) with its real Organizations and Datadog
 * dependencies against the stand-ins, SQS mocked: one walk, one Datadog listing, and only the
 * accounts that need work are enqueued (deduplicated by run and account), never another team's;
 * the deletion guard holds deletions back and says so; dry run enqueues nothing. Under
 * datadog.apiVersion v1 and v2 alike.
 */
import { DEFAULT_OWNERSHIP_TAG_KEY, ownershipMarker } from '../../lambda/domain/ownership';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'zod/mini';
import { parseConfig, type Config } from '../../lambda/config/schema';
import { organizationDependencies } from '../../lambda/organization-dependencies';
import { accountMessageSchema, deduplicationId } from '../../lambda/queue/messages';
import { createReconcileHandler } from '../../lambda/reconcile/reconcile';
import { createLogger, createMetrics, METRICS_NAMESPACE } from '../../lambda/report/telemetry';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_VERSIONS, integrationListUrl } from '../support/api-version';
import { MANAGEMENT_ACCOUNT_ID, QUEUE_URL, REGION, scheduledEvent } from './events';
import { captureOutput, type CapturedOutput } from './output';

const API_KEY = 'reconcile-api-key-00112233445566';
const APP_KEY = 'reconcile-app-key-66554433221100aa';
const ROLE = 'DatadogIntegrationRole';
const NOW = new Date('2024-03-04T12:00:07.123Z');

const sqsMock = mockClient(SQSClient);

/** The plan of the organization below: 21 accounts (18 walked, 3 integrations outside it). */
const SUMMARY = { accounts: 21, inSync: 6, toCreate: 12, toRepair: 1, toDelete: 2 };

function sentEntries(): SendMessageBatchRequestEntry[] {
  return sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

describe.each(API_VERSIONS)('reconcile handler against the AWS and Datadog stand-ins, datadog.apiVersion %s', (apiVersion) => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const configWith = (rest: object = {}) => parseConfig({ ...rest, datadog: { apiUrl: datadog.url, apiVersion } }, 'test config');
  let restoreEnv: () => void;
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let config: Config;
  let output: CapturedOutput;
  /** The accounts the run must enqueue, and those it must not. */
  let expected: string[];
  let closedOurs: string;
  let notExpected: string[];
  let leftOursId: string;

  beforeAll(async () => {
    await datadog.start();
  });

  afterAll(async () => {
    await datadog.stop();
  });

  beforeEach(async () => {
    // A small page size, so that listing goes through Organizations' pagination.
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT_ACCOUNT_ID, pageSize: 4 });
    const workloads = model.createOu('Workloads');
    const prod = model.createOu('Prod', workloads);
    const sandbox = model.createOu('Sandbox');
    const active = [
      ...Array.from({ length: 5 }, (_, i) => model.createAccount({ name: `prod-${i}`, parentId: prod })),
      ...Array.from({ length: 4 }, (_, i) => model.createAccount({ name: `dev-${i}`, parentId: workloads })),
      ...Array.from({ length: 3 }, (_, i) => model.createAccount({ name: `sandbox-${i}`, parentId: sandbox })),
      model.createAccount({ name: 'root-level' }),
    ];
    // Closed, still integrated with our role: the worker must offboard it.
    closedOurs = model.createAccount({ name: 'closed-ours', parentId: workloads });
    model.closeAccount(closedOurs, { immediate: true });
    // Left the organization, still integrated with our role.
    const leftOurs = model.createAccount({ name: 'left-ours', parentId: workloads });
    leftOursId = leftOurs;
    model.removeAccount(leftOurs);
    // Closed with only another team's integration, suspended, pending closure: nothing of ours.
    const closedTheirs = model.createAccount({ name: 'closed-theirs', parentId: sandbox });
    model.closeAccount(closedTheirs, { immediate: true });
    const suspended = model.createAccount({ name: 'suspended', parentId: sandbox });
    model.suspendAccount(suspended);
    const closing = model.createAccount({ name: 'closing', parentId: sandbox });
    model.closeAccount(closing);

    datadog.reset();
    datadog.seed({ account_id: closedOurs, role_name: ROLE, host_tags: ['aws_account_name:closed_ours'], external_id: 'a'.repeat(32) });
    // It left the organization: it goes because it carries our marker.
    datadog.seed({ account_id: leftOurs, role_name: ROLE, external_id: 'b'.repeat(32), host_tags: [ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId })] });
    datadog.seed({ account_id: active[0]!, role_name: ROLE, external_id: 'c'.repeat(32) });
    datadog.seed({ account_id: closedTheirs, role_name: 'OtherTeamRole', host_tags: ['team:other'] });
    datadog.seed({ account_id: '999999999999', role_name: 'OtherTeamRole' });
    datadog.seed({ account_id: '888888888888', access_key_id: 'AKIAOTHERTEAM0000000' });

    // Every active member (12 to create, active[0] to repair: its host tags), and the two of ours to offboard.
    expected = [...active, closedOurs, leftOurs];
    // The management account is out of scope by default; the rest has nothing of ours.
    notExpected = [MANAGEMENT_ACCOUNT_ID, closedTheirs, suspended, closing, '999999999999', '888888888888'];

    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws, { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY });
    // Two deletions in a 19-account organization: allow them here; the guard has its own test.
    config = configWith({ reconcile: { maxDeletionsPercent: 100 } });
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries?: SendMessageBatchRequestEntry[] }) => ({
      Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
      Failed: [],
    }));
    output = captureOutput();
  });

  afterEach(async () => {
    output.restore();
    // A failed run leaves the other listing in flight: let it end before its stand-in goes.
    await settled();
    listings = [];
    await aws.stop();
    restoreEnv();
  });

  /** The listings started by the handlers, so a test can let them finish before the stand-ins stop. */
  let listings: Promise<unknown>[] = [];
  const settled = () => Promise.allSettled(listings);

  function reconcileHandler(options: { dryRun?: boolean; logger?: ReturnType<typeof createLogger> } = {}) {
    const organization = organizationDependencies(config, process.env);
    const send = organization.organizationsClient.send.bind(organization.organizationsClient) as (command: unknown) => Promise<unknown>;
    (organization.organizationsClient as unknown as { send: (command: unknown) => Promise<unknown> }).send = (command) => track(send(command));
    const listIntegrations = organization.datadog.listIntegrations.bind(organization.datadog);
    organization.datadog.listIntegrations = (filter) => track(listIntegrations(filter));
    return createReconcileHandler({
      config,
      organization: { ...organization, now: () => NOW },
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: options.logger ?? createLogger('reconcile'),
      metrics: createMetrics('reconcile'),
      dryRun: options.dryRun ?? false,
    });
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    listings.push(promise);
    return promise;
  }

  it('enqueues only the accounts that need work, once, grouped by account', async () => {
    const event = scheduledEvent();
    const summary = await reconcileHandler()(event);

    const runId = `reconcile-${event.id}`;
    // 18 accounts walked, plus the 3 integrations whose accounts are not in the organization.
    expect(summary).toEqual({ runId, ...SUMMARY, enqueued: expected.length, deletionGuardTripped: false, dryRun: false });

    const entries = sentEntries();
    expect(entries.map((e) => e.MessageGroupId).sort()).toEqual([...expected].sort());
    for (const id of notExpected) expect(entries.map((e) => e.MessageGroupId)).not.toContain(id);
    expect(entries.map((e) => e.MessageGroupId)).toContain(closedOurs);
    for (const entry of entries) {
      const accountId = entry.MessageGroupId!;
      expect(entry.MessageDeduplicationId).toBe(deduplicationId(`${runId}:${accountId}`));
      const message = parse(accountMessageSchema, JSON.parse(entry.MessageBody!));
      expect(message).toMatchObject({ accountId, reason: 'scheduled reconcile', correlationId: runId });
      // Deletions are re-read by the worker; creations and repairs carry what the walk read.
      if (accountId === closedOurs || accountId === leftOursId) expect(message.facts).toBeUndefined();
      else expect(message.facts).toMatchObject({ observedAt: NOW.toISOString(), state: 'ACTIVE', partition: 'aws', tagsRead: false });
    }
    // SendMessageBatch takes at most 10 entries; pages are sent as the walk finds them, each account once.
    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(sqsMock.commandCalls(SendMessageBatchCommand).every((c) => c.args[0].input.QueueUrl === QUEUE_URL)).toBe(true);

    // Read-only towards AWS and Datadog: listing only.
    expect(model.calls.map((c) => c.operation)).toEqual(expect.arrayContaining(['ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent']));
    // One walk: no per-account Organizations call when nothing needs tags.
    expect(model.calls.filter((c) => ['DescribeAccount', 'ListParents', 'ListTagsForResource'].includes(c.operation))).toEqual([]);
    expect(model.calls.every((c) => /^(List|Describe|Get)/.test(c.operation))).toBe(true);
    expect(datadog.requests.every((r) => r.method === 'GET')).toBe(true);
    // One listing of the whole org, through the configured version's API.
    expect(datadog.requests.filter((r) => !r.path.includes('/iam_permissions')).map((r) => r.path)).toEqual([integrationListUrl(apiVersion)]);
  });

  it('logs one summary line with the run as correlation ID and publishes the summary metrics', async () => {
    const event = scheduledEvent();
    const runId = `reconcile-${event.id}`;
    await reconcileHandler()(event);

    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'reconcile run',
        service: 'reconcile',
        correlationId: runId,
        runId,
        ...SUMMARY,
        enqueued: expected.length,
        candidates: expected.length,
        deletionGuardTripped: false,
        dryRun: false,
      }),
    ]);
    expect(output.metrics()).toEqual({ ReconcileAccounts: SUMMARY.accounts, ReconcileInSync: SUMMARY.inSync, ReconcileAccountsEnqueued: expected.length, ReconcileDriftFound: SUMMARY.toRepair });
    expect(output.emf()[0]?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE });
    expect(output.text()).not.toContain(API_KEY);
    expect(output.text()).not.toContain(APP_KEY);
  });

  it('dry run: enqueues nothing, and the summary and metric say so while naming the candidates', async () => {
    const event = scheduledEvent();
    const summary = await reconcileHandler({ dryRun: true })(event);

    expect(sqsMock.calls()).toHaveLength(0);
    expect(summary).toEqual({ runId: `reconcile-${event.id}`, ...SUMMARY, enqueued: 0, deletionGuardTripped: false, dryRun: true });
    expect(output.logs()).toEqual([expect.objectContaining({ message: 'reconcile run', dryRun: true, enqueued: 0, candidates: expected.length })]);
    expect(output.metrics()).toMatchObject({ ReconcileAccountsEnqueued: 0 });
  });

  it('the same scheduled event delivered twice enqueues with the same deduplication IDs; the next run with new ones', async () => {
    const handler = reconcileHandler();
    const event = scheduledEvent();
    await handler(event);
    const first = sentEntries().map((e) => e.MessageDeduplicationId);
    sqsMock.resetHistory();
    await handler(structuredClone(event));
    expect(sentEntries().map((e) => e.MessageDeduplicationId)).toEqual(first);
    sqsMock.resetHistory();
    await handler(scheduledEvent({ time: new Date('2024-03-05T00:00:00Z') }));
    const next = sentEntries().map((e) => e.MessageDeduplicationId);
    expect(next).toHaveLength(first.length);
    expect(next.filter((id) => first.includes(id))).toEqual([]);
  });

  it('an invocation without an event ID (e.g. by hand) names the run after the clock', async () => {
    const summary = await reconcileHandler()({});
    expect(summary.runId).toBe(`reconcile-${NOW.toISOString()}`);
    expect(JSON.parse(sentEntries()[0]!.MessageBody!)).toMatchObject({ correlationId: `reconcile-${NOW.toISOString()}` });
  });

  it('another role name is not ours: role.name decides which integrations count', async () => {
    config = configWith({ role: { name: 'OtherTeamRole' }, reconcile: { maxDeletionsPercent: 100 } });
    const summary = await reconcileHandler()(scheduledEvent());
    const groups = sentEntries().map((e) => e.MessageGroupId);
    // OtherTeamRole's integrations are now ours where the account is in our organization: the closed account's goes.
    // The one outside the organization carries no marker of ours: nothing proves it is ours, it stays.
    expect(summary.toDelete).toBe(1);
    expect(groups).toContain(notExpected[1]); // closed, with an OtherTeamRole integration
    expect(groups).not.toContain('999999999999');
    expect(groups).not.toContain(closedOurs);
    expect(groups).not.toContain('888888888888');
  });

  it('the deletion guard: more deletions than allowed enqueues none of them, logs an error and counts DeletionGuardTripped', async () => {
    // Defaults: at most 5 deletions and at most 10 % of the 18 accounts (1): the 2 deletions are too many.
    config = configWith();
    const summary = await reconcileHandler()(scheduledEvent());
    const groups = sentEntries().map((e) => e.MessageGroupId);
    expect(summary.deletionGuardTripped).toBe(true);
    expect(groups).not.toContain(closedOurs);
    expect(groups).not.toContain(leftOursId);
    // Creations and repairs still go ahead.
    expect(groups).toHaveLength(expected.length - 2);
    expect(output.metrics()).toMatchObject({ DeletionGuardTripped: 1 });
    expect(output.logs()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'deletion guard tripped: no deletion enqueued',
        accountsHeldBack: [closedOurs, leftOursId].sort(),
        deletionsHeld: [closedOurs, leftOursId].sort().map((accountId) => expect.objectContaining({ accountId, type: 'delete-integration' })),
      }),
    );
  });

  it('the deletion guard tripped with tags needed (nothing streamed): every message tells the worker to delete nothing', async () => {
    config = configWith({ scope: { optOutTag: { key: 'datadog-integration', value: 'opt-out' } } });
    const summary = await reconcileHandler()(scheduledEvent());
    expect(summary.deletionGuardTripped).toBe(true);
    const messages = sentEntries().map((e) => parse(accountMessageSchema, JSON.parse(e.MessageBody!)));
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.holdDeletions === true && m.reason.includes('deletion guard tripped'))).toBe(true);
    expect(messages.map((m) => m.accountId)).not.toContain(closedOurs);
  });

  it('Organizations failing: the run fails (the schedule shows an error), nothing is enqueued, keys are dropped', async () => {
    model.failNext({ service: 'organizations', operation: 'ListRoots', code: 'AccessDeniedException', message: 'not allowed' });
    const logger = createLogger('reconcile');
    await expect(reconcileHandler({ logger })(scheduledEvent())).rejects.toThrow('not allowed');
    expect(sqsMock.calls()).toHaveLength(0);
    logger.info('after');
    expect(output.logs().at(-1)).not.toHaveProperty('correlationId');
  });

  it('Datadog failing: the run fails, nothing is enqueued, no key in the output', async () => {
    datadog.inject({ kind: 'status', status: 403, body: { errors: [`bad key ${API_KEY}`] } });
    const error = await reconcileHandler()(scheduledEvent()).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/403/);
    // The runtime prints an uncaught error: it must not carry the key Datadog echoed.
    expect(error?.message).toContain('[redacted]');
    expect(error?.message).not.toContain(API_KEY);
    expect(sqsMock.calls()).toHaveLength(0);
    expect(output.text()).not.toContain(API_KEY);
  });
});
