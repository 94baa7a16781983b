/**
 * The demo's profiles part: two Datadog targets and a move. The operator adds a profile "eu"
 * (the EU OU reports to datadoghq.eu, a second Datadog stand-in whose keys are a secret in the
 * AWS stand-in's Secrets Manager, without metric collection); an account created in the OU lands
 * there, another in the default target; the first is then moved out of the OU (MoveAccount) and
 * its integration follows. The narration names each write's system and Datadog target, in the
 * order they happened, and the profile the worker reported.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseConfig, type Config } from '../lambda/config/schema';
import { pipelineDependencies } from '../lambda/dependencies';
import { organizationDependencies } from '../lambda/organization-dependencies';
import { createWorkerHandler } from '../lambda/queue/worker';
import { createReconcileHandler } from '../lambda/reconcile/reconcile';
import { PROFILE_NONE } from '../lambda/report/telemetry';
import { IAM_WRITE_OPERATIONS, type FakeAwsOrganization } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { datadogOperation } from '@datadog-aws-org-integration/standins/datadog-operations';
import { lambdaContext, QUEUE_URL, scheduledEvent, sqsEvent, sqsFifoRecord } from '../test/handlers/events';

const EU_SITE = 'datadoghq.eu';
const EU_SECRET = 'datadog/eu-keys';
const EU_KEYS = { apiKey: 'demo-eu-api-key-0000', appKey: 'demo-eu-app-key-0000' };
/** An integration of another team in the EU Datadog organization, for an account outside ours: never ours to touch. */
const FOREIGN_ACCOUNT = '999999999999';

export interface DemoStage {
  readonly model: FakeAwsOrganization;
  readonly workloads: string;
  /** The Datadog stand-in of the first steps: the default target. */
  readonly datadog: DatadogStandin;
  readonly apiVersion: Config['datadog']['apiVersion'];
  readonly role: string;
  readonly datadogAccount: string;
  readonly intake: (event: unknown) => Promise<{ enqueued: number }>;
  readonly queue: { groupId: string; body: string }[];
  readonly sqs: SQSClient;
  readonly event: (fixture: string, accountId: string) => unknown;
  readonly say: (line?: string) => void;
  readonly step: (title: string) => void;
  readonly quiet: (service: string) => { logger: Logger; metrics: Metrics };
}

/** What the worker logged of one account ("account converged" and its failures), as the handler wrote it. */
interface ConvergedLine {
  readonly accountId: string;
  readonly status: string;
  readonly profile?: string;
  readonly target?: string;
  readonly error?: string;
}

/** A silent logger that keeps the worker's per-account lines, its children's included. */
class KeepingLogger extends Logger {
  constructor(
    options: ConstructorOptions,
    private readonly kept: ConvergedLine[],
  ) {
    super(options);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new KeepingLogger(options ?? {}, this.kept);
  }

  override info(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.keep(input, extra[0]);
    super.info(input, ...extra);
  }

  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.keep(input, extra[0]);
    super.warn(input, ...extra);
  }

  override error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.keep(input, extra[0]);
    super.error(input, ...extra);
  }

  private keep(message: LogItemMessage, extra: unknown): void {
    const line = extra as Partial<ConvergedLine> | undefined;
    if (typeof message === 'string' && message.startsWith('account ') && line?.accountId && line.status) this.kept.push(line as ConvergedLine);
  }
}

export async function showProfiles(stage: DemoStage): Promise<void> {
  const { model, say, step } = stage;
  const eu = new DatadogStandin(EU_KEYS);
  await eu.start();
  eu.seed({ account_id: FOREIGN_ACCOUNT, role_name: stage.role, host_tags: ['team:analytics'] });
  const euOu = model.createOu('EU');
  model.putSecret(EU_SECRET, JSON.stringify(EU_KEYS));
  const raw = {
    datadog: { apiUrl: stage.datadog.url, apiVersion: stage.apiVersion },
    profiles: [
      {
        name: 'eu',
        match: { ous: [euOu] },
        datadog: { site: EU_SITE, apiUrl: eu.url, credentialsSecretId: EU_SECRET },
        integration: { metricsCollection: false },
      },
    ],
  };
  const config = parseConfig(raw, 'demo configuration with profiles');
  const standins = new Map<string, DatadogStandin>([
    [config.datadog.site, stage.datadog],
    [EU_SITE, eu],
  ]);

  // One timeline of writes across IAM and both Datadog organizations: the order of a move is the point.
  const timeline: string[] = [];
  for (const [target, standin] of standins) {
    standin.onRequest = (request) => {
      if (request.method !== 'GET') timeline.push(`Datadog ${target} ${datadogOperation(request)}`);
    };
  }
  model.onCall = (call) => {
    if (call.service === 'iam' && IAM_WRITE_OPERATIONS.has(call.operation) && !call.error) timeline.push(`IAM ${call.operation}`);
  };
  const kept: ConvergedLine[] = [];
  const { metrics } = stage.quiet('worker');
  const worker = createWorkerHandler({
    config,
    pipeline: pipelineDependencies(config, process.env),
    sqs: stage.sqs,
    queueUrl: QUEUE_URL,
    logger: new KeepingLogger({ serviceName: 'worker', logLevel: 'SILENT' }, kept),
    metrics,
    oneAccountAtATime: true,
  });

  /** Delivers the queue to the worker; per account: its profile and target, and its writes in order. */
  async function drain(): Promise<void> {
    while (stage.queue.length > 0) {
      const batch = stage.queue.splice(0, 10);
      say(`  SQS FIFO -> worker: ${batch.length} message${batch.length === 1 ? '' : 's'} (groups ${batch.map((m) => m.groupId).join(', ')})`);
      timeline.length = 0;
      kept.length = 0;
      // One message per invocation: each account's writes are its own in the timeline.
      for (const message of batch) {
        const before = timeline.length;
        await worker(sqsEvent(sqsFifoRecord({ groupId: message.groupId, body: message.body })), lambdaContext());
        const line = kept.at(-1);
        const writes = groupBySystem(timeline.slice(before));
        say(
          `  worker: ${message.groupId}: profile ${line?.profile ?? PROFILE_NONE} -> target ${line?.target ?? '?'}: ` +
            `${writes || 'no write'}; ${line?.status ?? 'no result'}${line?.error ? ` (${line.error})` : ''}`,
        );
      }
    }
  }

  const ours = (standin: DatadogStandin, accountId: string) => standin.stored().find((a) => a.account_id === accountId && a.role_name === stage.role);

  /** Where the account's integration is, with what settings, and whom its role lets in. */
  function showAccount(accountId: string, earlierExternalId?: string): string | undefined {
    let externalId: string | undefined;
    for (const [target, standin] of standins) {
      const integration = ours(standin, accountId);
      if (!integration) {
        say(`  Datadog ${target}: no integration for ${accountId}`);
        continue;
      }
      externalId = integration.external_id;
      say(
        `  Datadog ${target}: integration for ${accountId}, metrics collection ${integration.metrics_collection_enabled === false ? 'off' : 'on'}, ` +
          `host tags ${integration.host_tags?.join(', ')}, external ID ${externalId?.slice(0, 8)}...`,
      );
    }
    const canAssume = (id: string | undefined) => model.canAssume(accountId, stage.role, { principalAccount: stage.datadogAccount, externalId: id });
    say(
      `  IAM in ${accountId}: Datadog (${stage.datadogAccount}) can assume ${stage.role} with that external ID: ${canAssume(externalId) ? 'yes' : 'NO'}` +
        (earlierExternalId ? `; with the earlier one (${earlierExternalId.slice(0, 8)}...): ${canAssume(earlierExternalId) ? 'STILL' : 'no'}` : ''),
    );
    return externalId;
  }

  step(`5. Profiles: the EU OU reports to another Datadog organization (${EU_SITE}), without metric collection`);
  say(`  configuration: "profiles": ${JSON.stringify(raw.profiles)}`);
  say(`  Secrets Manager: secret ${EU_SECRET} holds the EU organization's keys; the default target keeps DD_API_KEY / DD_APP_KEY`);
  say(`  Datadog ${EU_SITE} already holds another team's integration for ${FOREIGN_ACCOUNT} (without our marker)`);
  const inEu = model.createAccount({ name: 'Berlin Analytics', parentId: euOu });
  const inWorkloads = model.createAccount({ name: 'Checkout Dev', parentId: stage.workloads });
  say(`  Organizations: account ${inEu} "Berlin Analytics" created in EU, ${inWorkloads} "Checkout Dev" in Workloads`);
  for (const accountId of [inEu, inWorkloads]) await stage.intake(stage.event('organizations-create-account-result-succeeded.json', accountId));
  await drain();
  const euExternalId = showAccount(inEu);
  showAccount(inWorkloads);

  step(`6. The account is moved out of the EU OU: its integration moves to the default target (${config.datadog.site})`);
  model.moveAccount(inEu, stage.workloads);
  const move = stage.event('organizations-move-account.json', inEu) as { detail: { requestParameters: Record<string, string> } };
  Object.assign(move.detail.requestParameters, { sourceParentId: euOu, destinationParentId: stage.workloads });
  const moved = await stage.intake(move);
  say(`  Organizations: MoveAccount ${inEu} from EU to Workloads; EventBridge -> intake: ${moved.enqueued} message`);
  await drain();
  say(`  (${EU_SITE} and ${config.datadog.site} assume roles from one Datadog AWS account, ${stage.datadogAccount}: the trust keeps that principal and takes the new external ID)`);
  showAccount(inEu, euExternalId);
  const left = eu.stored();
  say(
    `  Datadog ${EU_SITE}: ${left.filter((a) => a.account_id !== FOREIGN_ACCOUNT).length} integrations of ours; ` +
      `another team's for ${FOREIGN_ACCOUNT}: ${left.some((a) => a.account_id === FOREIGN_ACCOUNT) ? 'untouched' : 'GONE'}`,
  );

  step('7. The scheduled reconcile: one listing per Datadog target, nothing left to move');
  const reconcile = createReconcileHandler({
    config,
    organization: { ...organizationDependencies(config, process.env), now: () => new Date() },
    sqs: stage.sqs,
    queueUrl: QUEUE_URL,
    dryRun: false,
    ...stage.quiet('reconcile'),
  });
  const listings = () => [...standins.values()].map((standin) => standin.requests.filter((r) => r.method === 'GET' && datadogOperation(r) === 'ListAWSAccounts').length);
  const listedBefore = listings();
  const summary = await reconcile(scheduledEvent());
  const listed = listings().map((count, index) => `${count - listedBefore[index]!} in ${[...standins.keys()][index]}`);
  say(
    `  schedule -> reconcile: one OU walk, Datadog listings ${listed.join(', ')}: ${summary.accounts} accounts, ` +
      `${summary.toCreate} to create, ${summary.toDelete} to delete, ${summary.enqueued} enqueued (role checks)`,
  );
  await drain();
  model.onCall = undefined;
  await eu.stop();
}

/** "IAM CreateRole", "IAM PutRolePolicy", "Datadog x Y" -> "IAM CreateRole, PutRolePolicy -> Datadog x Y": runs of one system joined. */
function groupBySystem(writes: readonly string[]): string {
  const runs: { system: string; operations: string[] }[] = [];
  for (const write of writes) {
    const at = write.lastIndexOf(' ');
    const system = write.slice(0, at);
    const last = runs.at(-1);
    if (last?.system === system) last.operations.push(write.slice(at + 1));
    else runs.push({ system, operations: [write.slice(at + 1)] });
  }
  return runs.map((run) => `${run.system} ${run.operations.join(', ')}`).join(' -> ');
}
