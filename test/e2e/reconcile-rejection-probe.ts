/**
 * Run as a child process by faults.test.ts (Jest reports an unhandled rejection as a separate
 * error that `it.failing` cannot invert, so it is observed here, outside Jest): the REAL
 * reconcile handler against the stand-ins, Datadog's listing rate limited beyond
 * maxRetryWaitSeconds. Prints one JSON line: how the run ended and every unhandled rejection.
 * Its one argument is the Datadog API version (v1 when absent).
 */
import { parseConfig } from '../../lambda/config/schema';
import { organizationDependencies } from '../../lambda/organization-dependencies';
import { createReconcileHandler } from '../../lambda/reconcile/reconcile';
import { createLogger, createMetrics } from '../../lambda/report/telemetry';
import { MANAGEMENT_ACCOUNT_ID, QUEUE_URL, scheduledEvent } from '../handlers/events';
import { FakeAwsOrganization, startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { fakeSqsClient, LocalFifoQueue } from './local-queue';

const KEY = 'probe-api-key-0011223344';
const APP = 'probe-app-key-5566778899';

async function main(): Promise<void> {
  const unhandled: string[] = [];
  process.on('unhandledRejection', (reason) => void unhandled.push(String(reason).slice(0, 200)));
  const model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT_ACCOUNT_ID });
  for (let i = 0; i < 3; i++) model.createAccount({ name: `probe-${i}` });
  const aws = await startAwsStandin(model);
  const datadog = new DatadogStandin({ apiKey: KEY, appKey: APP });
  await datadog.start();
  Object.assign(process.env, aws.env(), { POWERTOOLS_LOG_LEVEL: 'SILENT' });
  datadog.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '3600', 'X-RateLimit-Name': 'integration_aws' } });
  const apiVersion = process.argv[2] === 'v2' ? 'v2' : 'v1';
  const config = parseConfig({ datadog: { apiUrl: datadog.url, apiVersion } });
  const env = { ...process.env, DD_API_KEY: KEY, DD_APP_KEY: APP };
  const queue = new LocalFifoQueue();
  const handler = createReconcileHandler({
    config,
    organization: { ...organizationDependencies(config, env, { sleep: async () => undefined }), now: () => model.now() },
    sqs: fakeSqsClient(queue, QUEUE_URL),
    queueUrl: QUEUE_URL,
    logger: createLogger('reconcile'),
    metrics: createMetrics('reconcile'),
    dryRun: false,
  });
  let outcome = 'resolved';
  try {
    await handler(scheduledEvent());
  } catch (error) {
    outcome = `rejected: ${String(error).slice(0, 200)}`;
  }
  // Let whatever the failed run left in flight end.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await aws.stop();
  await datadog.stop();
  process.stdout.write(`${JSON.stringify({ outcome, unhandled, enqueued: queue.sentCount })}\n`);
}

void main();
