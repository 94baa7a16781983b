/**
 * npm run demo: the whole flow, no credentials; it says how long it took. The real Lambda handlers
 * (intake, worker, reconcile) run against local stand-ins of AWS Organizations, STS, IAM and
 * Datadog; an in-memory FIFO queue stands between them. The handlers' own JSON logs are kept
 * out of the way; the narration says what each step did. Its last part (scripts/demo-profiles.ts)
 * adds a profile: a second Datadog organization, and an account moved between the two.
 *
 * `npm run demo -- --api-version v1|v2` picks Datadog's API (default: the product's default).
 * A bad argument gets the usage line and exit 2, as the CLI answers bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseConfig, type Config } from '../lambda/config/schema';
import { pipelineDependencies } from '../lambda/dependencies';
import { createIntakeHandler } from '../lambda/event/intake';
import { organizationDependencies } from '../lambda/organization-dependencies';
import { createWorkerHandler } from '../lambda/queue/worker';
import { createReconcileHandler } from '../lambda/reconcile/reconcile';
import { METRICS_NAMESPACE } from '../lambda/report/telemetry';
import { FakeAwsOrganization, startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { datadogOperation } from '@datadog-aws-org-integration/standins/datadog-operations';
import { lambdaContext, QUEUE_URL, scheduledEvent, sqsEvent, sqsFifoRecord } from '../test/handlers/events';
import { showProfiles } from './demo-profiles';

const API_KEY = 'demo-api-key-0000';
const APP_KEY = 'demo-app-key-0000';
const ROLE = 'DatadogIntegrationRole';
const DATADOG_ACCOUNT = '464622532012';
const FIXTURES = join(__dirname, '..', 'test', 'support', 'events');

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const step = (title: string) => say(`\n${bold(title)}`);

/** An event as EventBridge delivers it, from our fixtures, naming this account. */
function event(fixture: string, accountId: string): unknown {
  const text = readFileSync(join(FIXTURES, fixture), 'utf8').replace(/"accountId": "\d{12}"/g, `"accountId": "${accountId}"`);
  return { ...JSON.parse(text), id: `demo-${fixture}-${accountId}` };
}

const USAGE = 'usage: npm run demo [-- --api-version v1|v2]';

/** A bad command line: the usage line and exit 2, no stack trace. */
class UsageError extends Error {}

/** `--api-version v1|v2` (or `--api-version=v2`), or `--help`; nothing else is accepted. */
function apiVersionFrom(args: readonly string[]): Config['datadog']['apiVersion'] | 'help' | undefined {
  const words = args.flatMap((arg) => (arg.startsWith('--api-version=') ? ['--api-version', arg.slice('--api-version='.length)] : [arg]));
  if (words.length === 0) return undefined;
  if (words.length === 1 && (words[0] === '--help' || words[0] === '-h')) return 'help';
  const [flag, value, ...rest] = words;
  if (flag !== '--api-version') throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
  if (value !== 'v1' && value !== 'v2') throw new UsageError(`--api-version must be v1 or v2${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  return value;
}

async function main(): Promise<void> {
  const chosen = apiVersionFrom(process.argv.slice(2));
  if (chosen === 'help') return say(USAGE);
  // The AWS SDK's notice about Node 22 would interrupt the narration (the README says it once).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
  const workloads = model.createOu('Workloads');
  const existing = model.createAccount({ name: 'shared-services', parentId: workloads });
  const aws = await startAwsStandin(model);
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  await datadog.start();
  Object.assign(process.env, aws.env(), { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  delete process.env.AWS_PROFILE;

  const config = parseConfig({ datadog: { apiUrl: datadog.url, ...(chosen && { apiVersion: chosen }) } }, 'demo configuration');
  const { apiVersion } = config.datadog;
  // The FIFO queue: one message group per account, read in order; a deduplication ID seen before is dropped, as SQS does for 5 minutes.
  const queue: { groupId: string; body: string }[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const sqs = {
    send: async (command: unknown) => {
      if (command instanceof SendMessageBatchCommand) {
        for (const entry of command.input.Entries ?? []) {
          if (seen.has(entry.MessageDeduplicationId!)) {
            dropped++;
            continue;
          }
          seen.add(entry.MessageDeduplicationId!);
          queue.push({ groupId: entry.MessageGroupId!, body: entry.MessageBody! });
        }
        return { Successful: (command.input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })), Failed: [] };
      }
      return {};
    },
  } as unknown as SQSClient;
  const quiet = (service: string) => ({
    logger: new Logger({ serviceName: service, logLevel: 'SILENT' }),
    // Metrics print EMF lines; the narration counts instead.
    metrics: Object.assign(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }), { publishStoredMetrics: () => undefined }),
  });
  const intake = createIntakeHandler({ sqs, queueUrl: QUEUE_URL, ...quiet('intake') });
  // One account after another: the narrative lists the writes in a stable order.
  const worker = createWorkerHandler({ config, pipeline: pipelineDependencies(config, process.env), sqs, queueUrl: QUEUE_URL, ...quiet('worker'), oneAccountAtATime: true });
  const reconcile = createReconcileHandler({
    config,
    organization: { ...organizationDependencies(config, process.env), now: () => new Date() },
    sqs,
    queueUrl: QUEUE_URL,
    dryRun: false,
    ...quiet('reconcile'),
  });

  /** Delivers what the queue holds to the worker, as Lambda would, and tells what changed. */
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, 10);
      say(`  SQS FIFO -> worker: ${batch.length} message${batch.length === 1 ? '' : 's'} (groups ${batch.map((m) => m.groupId).join(', ')})`);
      const writesBefore = datadog.requests.filter((r) => r.method !== 'GET').length;
      const iamBefore = model.iamWrites().length;
      const response = await worker(sqsEvent(...batch.map((m) => sqsFifoRecord({ groupId: m.groupId, body: m.body }))), lambdaContext());
      const datadogWrites = datadog.requests.filter((r) => r.method !== 'GET').slice(writesBefore);
      const iamWrites = model.iamWrites().slice(iamBefore);
      say(
        `  worker: Datadog ${datadogWrites.map(datadogOperation).join(', ') || 'no write'}; ` +
          `${iamWrites.length} IAM writes${iamWrites.length ? ` (${iamWrites.map((call) => call.operation).join(', ')})` : ''}; ${response.batchItemFailures.length} failed`,
      );
    }
  }

  function showAccount(accountId: string): void {
    const integration = datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);
    if (!integration) return say(`  Datadog: no integration for ${accountId}`);
    say(`  Datadog: integration for ${accountId}, role ${ROLE}, host tags ${integration.host_tags?.join(', ')}, external ID ${integration.external_id?.slice(0, 8)}...`);
    const role = model.getRole(accountId, ROLE);
    const canAssume = model.canAssume(accountId, ROLE, { principalAccount: DATADOG_ACCOUNT, externalId: integration.external_id });
    say(`  IAM in ${accountId}: ${role ? `role ${ROLE}, tagged ${JSON.stringify(role.tags)}` : 'no role'}; Datadog (${DATADOG_ACCOUNT}) can assume it with the external ID: ${canAssume ? 'yes' : 'NO'}`);
  }

  say(`datadog-aws-org-integration: the real Lambda handlers on local stand-ins of AWS Organizations, STS, IAM, Secrets Manager and Datadog (API ${apiVersion}).`);
  say(`Organization ${model.organizationId}: management account 111111111111, OU Workloads with ${existing} (shared-services).`);

  step('1. Someone creates an account');
  const created = model.createAccount({ name: 'Payments Prod', parentId: workloads });
  say(`  Organizations: account ${created} "Payments Prod" created in Workloads`);
  const enqueued = await intake(event('organizations-create-account-result-succeeded.json', created));
  say(`  EventBridge -> intake: CreateAccountResult SUCCEEDED -> ${enqueued.enqueued} message (group ${created})`);
  await drain();
  showAccount(created);

  step('2. The same event arrives twice more (EventBridge delivers at least once)');
  await intake(event('organizations-create-account-result-succeeded.json', created));
  await intake(event('organizations-create-account-result-succeeded.json', created));
  say(`  intake: same event ID, same deduplication ID: SQS FIFO dropped ${dropped} copies`);
  say('  a copy arriving later still finds the plan "none" for this account, so nothing is written twice:');
  const datadogWritesBefore = datadog.requests.filter((r) => r.method !== 'GET').length;
  const iamWritesBefore = model.iamWrites().length;
  await worker(sqsEvent(sqsFifoRecord({ groupId: created, body: { accountId: created, reason: 'late copy', correlationId: 'late' } })), lambdaContext());
  const datadogWrites = datadog.requests.filter((r) => r.method !== 'GET').length - datadogWritesBefore;
  say(
    `  Datadog has ${datadog.stored().filter((a) => a.account_id === created).length} integration for ${created}; ` +
      `${datadogWrites} Datadog writes and ${model.iamWrites().length - iamWritesBefore} IAM writes for the late copy`,
  );

  step('3. The scheduled reconcile finds shared-services, never onboarded, and someone deletes the new role by hand');
  model.deleteRoleByHand(created, ROLE);
  const summary = await reconcile(scheduledEvent());
  say(`  schedule -> reconcile: one OU walk, one Datadog listing: ${summary.accounts} accounts, ${summary.toCreate} to create, ${summary.enqueued} enqueued (with role checks)`);
  await drain();
  showAccount(existing);
  showAccount(created);

  step('4. The account is closed');
  model.closeAccount(created, { immediate: true });
  const closing = await intake(event('organizations-close-account-result-succeeded.json', created));
  say(`  EventBridge -> intake: CloseAccountResult SUCCEEDED -> ${closing.enqueued} message`);
  await drain();
  showAccount(created);

  await showProfiles({ model, workloads, datadog, apiVersion, role: ROLE, datadogAccount: DATADOG_ACCOUNT, intake, queue, sqs, event, say, step, quiet });

  // Measured: from the start of this Node process (stand-ins, handlers and all), not a promise.
  say(`\nDone in ${process.uptime().toFixed(1)} s. Run it against your own organization: README, "Deploy".`);
  await aws.stop();
  await datadog.stop();
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`demo: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`demo: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
