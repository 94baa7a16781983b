/**
 * The Lambda entry files (lambda/handlers/*.ts) as the runtime loads them: they read
 * DD_AWS_ORG_CONFIG and QUEUE_URL at load time, so a bad deployment fails at cold start with
 * a message that says what to fix, and a good one exports `handler`.
 */
import { FakeAwsOrganization, startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_VERSIONS, integrationListUrl } from '../support/api-version';
import { lambdaContext, MANAGEMENT_ACCOUNT_ID, QUEUE_URL, scheduledEvent, sqsEvent, sqsFifoRecord } from './events';
import { captureOutput, type CapturedOutput } from './output';

type IntakeEntry = typeof import('../../lambda/handlers/intake');
type WorkerEntry = typeof import('../../lambda/handlers/worker');
type ReconcileEntry = typeof import('../../lambda/handlers/reconcile');

const ENTRIES = {
  intake: '../../lambda/handlers/intake',
  worker: '../../lambda/handlers/worker',
  reconcile: '../../lambda/handlers/reconcile',
} as const;
type EntryName = keyof typeof ENTRIES;

/** Loads an entry afresh (its module-level code runs again), as a cold start does. */
function load<T = IntakeEntry | WorkerEntry | ReconcileEntry>(name: EntryName): T {
  let loaded: T | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(ENTRIES[name]) as T;
  });
  return loaded!;
}

describe('Lambda entries', () => {
  const savedEnv = { ...process.env };
  let output: CapturedOutput;

  beforeEach(() => {
    for (const key of ['DD_AWS_ORG_CONFIG', 'QUEUE_URL', 'DD_API_KEY', 'DD_APP_KEY', 'AWS_ENDPOINT_URL']) delete process.env[key];
    process.env.AWS_REGION = 'us-east-1';
    output = captureOutput();
  });

  afterEach(() => {
    output.restore();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  describe.each(Object.keys(ENTRIES) as EntryName[])('%s', (name) => {
    it.each(['{}', ...API_VERSIONS.map((apiVersion) => JSON.stringify({ datadog: { apiVersion } }))])('loads with QUEUE_URL and DD_AWS_ORG_CONFIG %s and exports a function `handler`', (config) => {
      process.env.QUEUE_URL = QUEUE_URL;
      process.env.DD_AWS_ORG_CONFIG = config;
      const entry = load(name);
      expect(typeof entry.handler).toBe('function');
      // Loading makes no call and prints nothing.
      expect(output.text()).toBe('');
    });

    it('without QUEUE_URL, fails at load naming QUEUE_URL', () => {
      process.env.DD_AWS_ORG_CONFIG = '{}';
      expect(() => load(name)).toThrow(/environment variable QUEUE_URL is not set/);
    });

    it('with an empty QUEUE_URL, fails at load naming QUEUE_URL', () => {
      process.env.DD_AWS_ORG_CONFIG = '{}';
      process.env.QUEUE_URL = '';
      expect(() => load(name)).toThrow(/QUEUE_URL/);
    });
  });

  describe.each(['worker', 'reconcile'] as const)('%s configuration', (name) => {
    beforeEach(() => {
      process.env.QUEUE_URL = QUEUE_URL;
    });

    it('an unknown Datadog site fails at load naming DD_AWS_ORG_CONFIG and datadog.site', () => {
      process.env.DD_AWS_ORG_CONFIG = '{"datadog":{"site":"nope"}}';
      let error: Error | undefined;
      try {
        load(name);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toContain('DD_AWS_ORG_CONFIG');
      expect(error?.message).toContain('datadog.site');
      expect(error?.message).toContain('"nope"');
    });

    it('DD_AWS_ORG_CONFIG that is not JSON fails at load, saying so', () => {
      process.env.DD_AWS_ORG_CONFIG = '{datadog:';
      expect(() => load(name)).toThrow('environment variable DD_AWS_ORG_CONFIG is not JSON');
    });

    it('an unknown key fails at load, listing the known keys', () => {
      process.env.DD_AWS_ORG_CONFIG = '{"deployment":{"reconcileDryrun":true}}';
      expect(() => load(name)).toThrow(/DD_AWS_ORG_CONFIG: deployment: unknown key "reconcileDryrun"; known keys here: .*reconcileDryRun/);
    });

    it('without DD_AWS_ORG_CONFIG at all, fails at load naming it (the stack always sets it: defaults nobody chose never run)', () => {
      expect(() => load(name)).toThrow('environment variable DD_AWS_ORG_CONFIG is not set: redeploy the stack');
    });
  });

  describe('invoking the loaded entries', () => {
    beforeEach(() => {
      process.env.QUEUE_URL = QUEUE_URL;
      process.env.DD_AWS_ORG_CONFIG = '{}';
    });

    it('intake: an event it does not handle is acknowledged without any call', async () => {
      const { handler } = load<IntakeEntry>('intake');
      await expect(handler(scheduledEvent())).resolves.toEqual({ enqueued: 0 });
      expect(output.logs()).toEqual([expect.objectContaining({ service: 'intake', message: 'event not enqueued', outcome: 'unknown' })]);
      expect(output.metrics()).toEqual({ EventsUnknown: 1 });
    });

    it('worker: a poison message is reported as a batch item failure without any call', async () => {
      const { handler } = load<WorkerEntry>('worker');
      const record = sqsFifoRecord({ groupId: 'g', body: 'garbage' });
      await expect(handler(sqsEvent(record), lambdaContext())).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
      expect(output.logs()).toEqual([expect.objectContaining({ service: 'worker', level: 'ERROR', messageId: record.messageId })]);
    });

    it.each(API_VERSIONS)('reconcile: deployment.reconcileDryRun reaches the handler (lists, enqueues nothing), datadog.apiVersion %s', async (apiVersion) => {
      const model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT_ACCOUNT_ID });
      model.createAccount({ name: 'one' });
      const datadog = new DatadogStandin({ apiKey: 'entry-api-key-123', appKey: 'entry-app-key-456' });
      await datadog.start();
      const aws = await startAwsStandin(model);
      try {
        Object.assign(process.env, aws.env(), { DD_API_KEY: 'entry-api-key-123', DD_APP_KEY: 'entry-app-key-456' });
        delete process.env.AWS_PROFILE;
        process.env.DD_AWS_ORG_CONFIG = JSON.stringify({ datadog: { apiUrl: datadog.url, apiVersion }, deployment: { reconcileDryRun: true } });
        const { handler } = load<ReconcileEntry>('reconcile');
        const event = scheduledEvent();
        // SQS is not emulated by the stand-in: any send would fail this run.
        await expect(handler(event)).resolves.toEqual({
          runId: `reconcile-${event.id}`,
          accounts: 2,
          inSync: 1,
          toCreate: 1,
          toRepair: 0,
          toDelete: 0,
          enqueued: 0,
          deletionGuardTripped: false,
          dryRun: true,
        });
        expect(model.callsTo('organizations', 'ListAccountsForParent').length).toBeGreaterThan(0);
        expect(output.metrics()).toMatchObject({ ReconcileAccountsEnqueued: 0 });
        // The entry read datadog.apiVersion from DD_AWS_ORG_CONFIG: it listed through that version's API.
        expect(datadog.requests.filter((r) => !r.path.includes('/iam_permissions')).map((r) => r.path)).toEqual([integrationListUrl(apiVersion)]);
      } finally {
        await aws.stop();
        await datadog.stop();
      }
    });
  });
});
