/**
 * The end-to-end harness: the REAL intake, worker and reconcile handlers with their real
 * pipeline dependencies (AWS SDK clients against the AWS stand-in through AWS_ENDPOINT_URL, the
 * Datadog client against the Datadog stand-in), a local SQS FIFO queue + DLQ on a manual clock,
 * and every line Powertools prints captured. It delivers events, drains the queue as Lambda's
 * event source mapping would, runs the reconciler, and checks the end state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { parseConfig, type Config } from '../../lambda/config/schema';
import { ownershipMarker } from '../../lambda/domain/ownership';
import { pipelineDependencies } from '../../lambda/dependencies';
import { createIntakeHandler } from '../../lambda/event/intake';
import { organizationDependencies } from '../../lambda/organization-dependencies';
import { createWorkerHandler } from '../../lambda/queue/worker';
import { createReconcileHandler, type ReconcileSummary } from '../../lambda/reconcile/reconcile';
import { createLogger, createMetrics } from '../../lambda/report/telemetry';
import { lambdaContext, MANAGEMENT_ACCOUNT_ID, QUEUE_URL, scheduledEvent, sqsEvent, sqsFifoRecord } from '../handlers/events';
import { captureOutput, type CapturedOutput, type LogLine } from '../handlers/output';
import { FakeAwsOrganization, startAwsStandin, type AwsStandin, type FakeAwsOrganizationOptions } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { statusText, type RoutedRequest } from '@datadog-aws-org-integration/standins/datadog-http';
import { isKeys, isRole } from '@datadog-aws-org-integration/standins/datadog-v2';
import type { ServerResponse } from 'node:http';
import type { RetryNotice } from '../../lambda/datadog/http';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import { fakeSqsClient, LocalFifoQueue, type ReceivedMessage } from './local-queue';

export const API_KEY = 'e2e-api-key-0f1e2d3c4b5a69788796a5b4';
/** The Secrets Manager secret the handlers read the Datadog keys from, as the stack configures it. */
export const KEYS_SECRET = 'datadog-aws-org-integration/datadog-keys';
export const APP_KEY = 'e2e-app-key-a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const ROLE = 'DatadogIntegrationRole';
/** The AWS account Datadog assumes roles from (datadoghq.com). */
export const DATADOG_PRINCIPAL = '464622532012';
export const MANAGED_BY = 'datadog-aws-org-integration';
export const HOUR_MS = 60 * 60 * 1000;

type RawConfig = Record<string, Record<string, unknown>>;

/** The default target's label: the top level's Datadog organization (`h.datadog`). */
export const DEFAULT_TARGET = 'default';

/** Another Datadog organization: its own stand-in, site and keys (read from its own secret). */
export interface TargetOptions {
  /** Its Datadog site: the role of an account reporting there must trust `principal`. */
  readonly site: string;
  /** The AWS account Datadog assumes roles from on that site. */
  readonly principal: string;
  /** The Secrets Manager secret (in the AWS stand-in) its keys are read from. */
  readonly credentialsSecretId: string;
  /** The keys its stand-in accepts. */
  readonly apiKey: string;
  readonly appKey: string;
  /** The keys stored in its secret (default: the right ones). */
  readonly storedKeys?: { readonly apiKey: string; readonly appKey: string };
}

/** A profile as written in the configuration, but naming a harness target (its site, apiUrl and secret are filled in). */
export interface HarnessProfile {
  readonly name: string;
  readonly match: { readonly ous?: readonly string[]; readonly accounts?: readonly string[]; readonly tags?: Readonly<Record<string, string>> };
  /** A label of HarnessOptions.targets; absent: the top level's Datadog organization. */
  readonly target?: string;
  readonly datadog?: Record<string, unknown>;
  readonly integration?: Record<string, unknown>;
}

export interface HarnessOptions {
  /** Merged into the configuration (section by section); datadog.apiUrl is the stand-in's. */
  readonly config?: RawConfig;
  /** The keys the product is given (the stand-in only accepts API_KEY / APP_KEY). */
  readonly apiKey?: string;
  readonly appKey?: string;
  readonly maxReceiveCount?: number;
  readonly organization?: FakeAwsOrganizationOptions;
  /** Other Datadog organizations, by label (each its own stand-in). */
  readonly targets?: Readonly<Record<string, TargetOptions>>;
  /** The profiles, made once the organization exists (they name its OUs); the harness reads them to know each account's target. */
  readonly profiles?: (model: FakeAwsOrganization) => readonly HarnessProfile[];
  /** The URL the product is given for a target (default: its stand-in's), e.g. a Prism proxy in front of it. */
  readonly apiUrlFor?: (target: string, standinUrl: string) => Promise<string>;
  /** The fetch the Datadog clients use (default: the global one), e.g. one that records Prism's verdicts. */
  readonly fetch?: typeof fetch;
}

export interface RunOptions {
  /** Worker invocations at most (a guard against a loop). */
  readonly maxSteps?: number;
  /** How far the queue's clock may move while waiting for a message to become visible again. */
  readonly maxQueueTimeMs?: number;
}

export interface RunStats {
  /** The queue is empty (else a bound stopped the run). */
  readonly idle: boolean;
  readonly invocations: number;
  readonly recordsProcessed: number;
  readonly recordsFailed: number;
  readonly queueTimeMs: number;
}

export interface Expectations {
  /** Messages the dead-letter queue must hold (0). */
  readonly deadLetters?: number;
  /** Account IDs checked besides the organization's and Datadog's (e.g. an account outside the organization). */
  readonly alsoCheck?: readonly string[];
  /** The main queue may still hold messages (false: it must be empty). */
  readonly allowPending?: boolean;
}

export interface DeletionRecord {
  /** The label of the Datadog organization that deleted it. */
  readonly target: string;
  readonly accountId: string;
  readonly roleName?: string;
  readonly accessKeyId?: string;
  readonly wrong: boolean;
  readonly why: string;
}

const FIXTURES = join(__dirname, '..', 'support', 'events');

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** An EventBridge event as AWS delivers it, from a recorded fixture, naming `accountId`. */
function eventFor(name: string, placeholder: string, accountId: string, id: string): Record<string, unknown> {
  const text = JSON.stringify(fixture(name)).split(placeholder).join(accountId);
  return { ...(JSON.parse(text) as Record<string, unknown>), id };
}

export const events = {
  createAccountResult: (accountId: string, id: string = randomUUID()) =>
    eventFor('organizations-create-account-result-succeeded.json', '345678901234', accountId, id),
  closeAccountResult: (accountId: string, id: string = randomUUID()) =>
    eventFor('organizations-close-account-result-succeeded.json', '456789012345', accountId, id),
  closeAccount: (accountId: string, id: string = randomUUID()) => eventFor('organizations-close-account.json', '456789012345', accountId, id),
  removeAccount: (accountId: string, id: string = randomUUID()) =>
    eventFor('organizations-remove-account-from-organization.json', '678901234567', accountId, id),
  moveAccount: (accountId: string, id: string = randomUUID()) => eventFor('organizations-move-account.json', '789012345678', accountId, id),
  tagAccount: (accountId: string, id: string = randomUUID()) => eventFor('organizations-tag-resource-account.json', '345678901234', accountId, id),
  fixture,
};

function mergeConfig(base: RawConfig, extra: RawConfig = {}): RawConfig {
  const merged: RawConfig = { ...base };
  for (const [section, values] of Object.entries(extra)) merged[section] = { ...merged[section], ...values };
  return merged;
}

type Worker = ReturnType<typeof createWorkerHandler>;
type Intake = ReturnType<typeof createIntakeHandler>;
type Reconcile = ReturnType<typeof createReconcileHandler>;

/** An integration's identity (v1's selector), to tell what a v2 DELETE (by config UUID, no body) removed. */
type Identity = Pick<AWSAccount, 'account_id' | 'role_name' | 'access_key_id'>;

/**
 * The one stand-in (v1 and v2 over one store), remembering the identity behind every config
 * UUID it ever held: v2 deletes by UUID, and the integration is gone once the audit looks.
 */
class AuditedDatadogStandin extends DatadogStandin {
  private readonly identities = new Map<string, Identity>();
  /** The tags each role integration (account/role) had when last seen: was a deleted one marked? */
  private readonly lastTags = new Map<string, readonly string[]>();
  /** The requests (by index in `requests`) whose DELETE removed an integration (a DELETE of one already gone removes nothing). */
  private readonly removals = new Set<number>();
  /** While set, every authorized request is answered with this status (the Datadog organization is down); requests are still recorded. */
  outage?: number;

  tagsOf(accountId: string, roleName: string): readonly string[] {
    return this.lastTags.get(`${accountId}/${roleName}`) ?? [];
  }

  identityOf(uuid: string): Identity | undefined {
    this.remember();
    return this.identities.get(uuid);
  }

  protected override route(request: RoutedRequest, res: ServerResponse): void {
    if (this.outage !== undefined) return void this.fail(res, request.url.pathname, { status: this.outage, title: statusText(this.outage) });
    this.remember();
    const before = this.store.all().length;
    super.route(request, res);
    if (this.store.all().length < before) this.removals.add(this.requests.length - 1);
    this.remember();
  }

  removed(requestIndex: number): boolean {
    return this.removals.has(requestIndex);
  }

  private remember(): void {
    for (const integration of this.store.all()) {
      const { aws_account_id, auth_config } = integration.attributes;
      const identity: Identity = { account_id: aws_account_id || undefined };
      if (isRole(auth_config)) {
        identity.role_name = auth_config.role_name;
        this.lastTags.set(`${aws_account_id}/${auth_config.role_name}`, [...(integration.attributes.account_tags ?? [])]);
      }
      if (isKeys(auth_config)) identity.access_key_id = auth_config.access_key_id;
      this.identities.set(integration.id, identity);
    }
  }
}

/** One Datadog organization as the harness audits it. */
export interface HarnessTarget {
  readonly label: string;
  readonly datadog: AuditedDatadogStandin;
  readonly principal: string;
  readonly options?: TargetOptions;
  /** Integrations of other teams or organizations seeded there: they must stay as they are. */
  readonly others: AWSAccount[];
  /** Requests already audited. */
  seen: number;
  /** The first request of the current worker or reconcile run. */
  runStart: number;
  apiUrl?: string;
}

export const OUT_OF_SCOPE = 'the account is out of scope';
export const MOVED = 'the account reports to another Datadog organization now (a move: our marked leftover)';
export const ROLLED_BACK = 'created by the same run, undone when a later step failed';

const V2_ACCOUNT_PATH = /^\/api\/v2\/integration\/aws\/accounts\/([^/]+)$/;

export class E2EHarness {
  readonly datadog = new AuditedDatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  readonly model: FakeAwsOrganization;
  readonly queue: LocalFifoQueue;
  readonly sqs: ReturnType<typeof fakeSqsClient>;
  readonly deletions: DeletionRecord[] = [];
  /** Accounts whose integration must never be deleted, whatever the model says (a misread organization). */
  readonly protectedAccounts = new Set<string>();
  /** Datadog retries the transport made (each attempt that failed and was retried), with the wait it chose. */
  readonly retryNotices: { operation: string; attempt: number; delayMs: number; kind: string }[] = [];
  workerCrashes = 0;
  /** DELETE requests that removed nothing (the integration was already gone). */
  noopDeletes = 0;
  config!: Config;

  private aws?: AwsStandin;
  private output?: CapturedOutput;
  private worker!: Worker;
  private intake!: Intake;
  private reconcileHandler!: Reconcile;
  private readonly savedEnv = { ...process.env };
  private readonly secrets = new Set<string>([API_KEY, APP_KEY]);
  /** Every Datadog organization, the default one first. */
  readonly targets = new Map<string, HarnessTarget>();
  private profiles: readonly HarnessProfile[] = [];
  private readonly baseTime = Date.now();

  private constructor(private options: HarnessOptions) {
    this.model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT_ACCOUNT_ID, ...options.organization });
    this.targets.set(DEFAULT_TARGET, { label: DEFAULT_TARGET, datadog: this.datadog, principal: DATADOG_PRINCIPAL, others: [], seen: 0, runStart: 0 });
    for (const [label, target] of Object.entries(options.targets ?? {})) {
      if (label === DEFAULT_TARGET) throw new Error(`"${DEFAULT_TARGET}" is the top level's target`);
      const datadog = new AuditedDatadogStandin({ apiKey: target.apiKey, appKey: target.appKey });
      this.targets.set(label, { label, datadog, principal: target.principal, options: target, others: [], seen: 0, runStart: 0 });
      this.secrets.add(target.apiKey).add(target.appKey);
    }
    // The stack's redrive policy: deployment.maxReceiveCount receives, then the dead-letter queue.
    const maxReceiveCount = options.maxReceiveCount ?? parseConfig(mergeConfig({}, options.config)).deployment.maxReceiveCount;
    this.queue = new LocalFifoQueue({ maxReceiveCount });
    this.sqs = fakeSqsClient(this.queue, QUEUE_URL);
  }

  static async start(options: HarnessOptions = {}): Promise<E2EHarness> {
    const harness = new E2EHarness(options);
    try {
      await harness.startServices();
    } catch (error) {
      // A configuration the schema refuses (say): leave no server behind.
      await harness.stop();
      throw error;
    }
    return harness;
  }

  private async startServices(): Promise<void> {
    const { options } = this;
    for (const target of this.targets.values()) {
      const url = await target.datadog.start();
      target.apiUrl = options.apiUrlFor ? await options.apiUrlFor(target.label, url) : url;
    }
    this.aws = await startAwsStandin(this.model);
    this.profiles = options.profiles?.(this.model) ?? [];
    for (const { options: target } of this.targets.values()) {
      if (target) this.model.putSecret(target.credentialsSecretId, JSON.stringify(target.storedKeys ?? { apiKey: target.apiKey, appKey: target.appKey }));
    }
    // The real SDK clients find the stand-in through the process environment, as in Lambda.
    Object.assign(process.env, this.aws.env());
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    this.output = captureOutput();
    this.build(options.apiKey ?? API_KEY, options.appKey ?? APP_KEY);
  }

  /** (Re)builds the three handlers with these Datadog keys, as a redeploy would. */
  build(apiKey: string, appKey: string): void {
    this.secrets.add(apiKey);
    this.secrets.add(appKey);
    // As deployed: the keys live in a Secrets Manager secret (the AWS stand-in's), never in the environment.
    this.model.putSecret(KEYS_SECRET, JSON.stringify({ apiKey, appKey }));
    const raw = mergeConfig({ datadog: { apiUrl: this.target(DEFAULT_TARGET).apiUrl, maxRetryWaitSeconds: 60, credentialsSecretId: KEYS_SECRET } }, this.options.config);
    this.config = parseConfig(this.profiles.length ? { ...raw, profiles: this.profiles.map((p) => this.profileConfig(p)) } : raw, 'e2e config');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DD_API_KEY;
    delete env.DD_APP_KEY;
    const datadogOptions = {
      ...(this.options.fetch && { fetch: this.options.fetch }),
      // Datadog's retries (backoff, X-RateLimit-Reset) must not really wait.
      sleep: async () => undefined,
      onRetry: (notice: RetryNotice) =>
        void this.retryNotices.push({ operation: notice.operation, attempt: notice.attempt, delayMs: notice.delayMs, kind: notice.error.kind }),
    };
    const now = () => this.model.now();
    const pipeline = { ...pipelineDependencies(this.config, env, datadogOptions), now };
    this.worker = createWorkerHandler({
      config: this.config,
      pipeline,
      sqs: this.sqs,
      queueUrl: QUEUE_URL,
      logger: createLogger('worker'),
      metrics: createMetrics('worker'),
      // The fault matrices hand their injected faults out in call order.
      oneAccountAtATime: true,
    });
    this.intake = createIntakeHandler({ sqs: this.sqs, queueUrl: QUEUE_URL, logger: createLogger('intake'), metrics: createMetrics('intake') });
    this.reconcileHandler = createReconcileHandler({
      config: this.config,
      organization: { ...organizationDependencies(this.config, env, datadogOptions), now },
      sqs: this.sqs,
      queueUrl: QUEUE_URL,
      logger: createLogger('reconcile'),
      metrics: createMetrics('reconcile'),
      dryRun: false,
    });
  }

  /** The profile as the configuration says it: the target's site, API URL and secret in its datadog keys. */
  private profileConfig(profile: HarnessProfile): Record<string, unknown> {
    const { target: label, ...rest } = profile;
    const target = label === undefined ? undefined : this.target(label);
    const datadog = target?.options
      ? { site: target.options.site, apiUrl: target.apiUrl, credentialsSecretId: target.options.credentialsSecretId, ...profile.datadog }
      : profile.datadog;
    return { ...rest, ...(datadog && { datadog }) };
  }

  /** The profiles as configured now (HarnessProfile form). */
  get profileList(): readonly HarnessProfile[] {
    return this.profiles;
  }

  /** A configuration change: other profiles, and sections merged over the configuration (call build to redeploy with it). */
  reconfigure(change: { profiles?: readonly HarnessProfile[]; config?: RawConfig }): void {
    if (change.profiles) this.profiles = change.profiles;
    if (change.config) this.options = { ...this.options, config: mergeConfig(this.options.config ?? {}, change.config) };
  }

  /** A Datadog organization by label (DEFAULT_TARGET: the top level's). */
  target(label: string): HarnessTarget {
    const target = this.targets.get(label);
    if (!target) throw new Error(`no Datadog target ${label} in this harness`);
    return target;
  }

  /** Replaces the keys stored in a target's secret (a redeploy after fixing them: call build again). */
  storeTargetKeys(label: string, keys: { apiKey: string; appKey: string }): void {
    const { options } = this.target(label);
    if (!options) throw new Error('the default target keeps its keys in KEYS_SECRET: use build');
    this.model.putSecret(options.credentialsSecretId, JSON.stringify(keys));
  }

  /**
   * The label of the target an account must report to, read from the profiles independently of
   * the product: the first whose match holds (an OU on its path at any depth, or a listed
   * account; and every listed tag), else the top level's.
   */
  expectedTarget(accountId: string): string {
    const account = this.model.getAccount(accountId);
    if (!account) return DEFAULT_TARGET;
    const path: string[] = [];
    for (let parent: string | undefined = account.parentId; parent?.startsWith('ou-'); parent = this.model.getOu(parent)?.parentId) path.push(parent);
    const profile = this.profiles.find(({ match }) => {
      const ous = match.ous ?? [];
      const accounts = match.accounts ?? [];
      const placed = (ous.length === 0 && accounts.length === 0) || accounts.includes(accountId) || path.some((ou) => ous.includes(ou));
      return placed && Object.entries(match.tags ?? {}).every(([key, value]) => account.tags[key] === value);
    });
    return profile?.target ?? DEFAULT_TARGET;
  }

  private stopped = false;

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.output?.restore();
    await this.aws?.stop();
    for (const target of this.targets.values()) await target.datadog.stop();
    for (const key of Object.keys(process.env)) if (!(key in this.savedEnv)) delete process.env[key];
    Object.assign(process.env, this.savedEnv);
  }

  // ------------------------------------------------------------ output

  logs(): LogLine[] {
    return this.output?.logs() ?? [];
  }

  metrics(): Record<string, number> {
    return this.output?.metrics() ?? {};
  }

  text(): string {
    return this.output?.text() ?? '';
  }

  /**
   * Metric totals over the EMF blobs whose dimensions are exactly `dimensions` (besides `service`):
   * {} gives the metrics the alarms read, { Profile, Target } the per-profile ones.
   */
  metricsWith(dimensions: Readonly<Record<string, string>>): Record<string, number> {
    const totals: Record<string, number> = {};
    const wanted = Object.keys(dimensions).sort().join(',');
    for (const blob of this.output?.emf() ?? []) {
      for (const directive of blob._aws.CloudWatchMetrics) {
        const sets = directive.Dimensions.map((set) => set.filter((name) => name !== 'service').sort().join(','));
        if (!sets.includes(wanted) || Object.entries(dimensions).some(([name, value]) => blob[name] !== value)) continue;
        for (const { Name } of directive.Metrics) totals[Name] = (totals[Name] ?? 0) + Number(blob[Name]);
      }
    }
    return totals;
  }

  // ------------------------------------------------------------ world

  /** Moves the queue's clock and the AWS stand-in's clock together. */
  advance(ms: number): void {
    this.queue.advance(ms);
    this.model.advanceTime(ms);
  }

  /** An integration another team owns (another role name, or an access key): it must stay as it is. */
  seedOtherTeam(account: AWSAccount, label: string = DEFAULT_TARGET): void {
    const target = this.target(label);
    target.datadog.seed(account);
    target.others.push(structuredClone(account));
  }

  /** Our organization's ownership marker, as the product writes it. */
  get marker(): string {
    return ownershipMarker({ markerKey: this.config.integration.ownershipTagKey, organizationId: this.model.organizationId });
  }

  private inOurOrganization(accountId: string): boolean {
    return Boolean(this.model.getAccount(accountId)?.inOrganization);
  }

  /**
   * Our integrations of the account: with the configured role name, and, for an account outside our
   * organization, with our marker (one without it may belong to another organization sharing the Datadog organization).
   */
  ours(accountId: string, label: string = DEFAULT_TARGET) {
    const marked = (a: AWSAccount) => (a.host_tags ?? []).some((tag) => tag.toLowerCase() === this.marker);
    return this.target(label)
      .datadog.stored()
      .filter((a) => a.account_id === accountId && a.role_name === ROLE && !a.access_key_id && (this.inOurOrganization(accountId) || marked(a)));
  }

  /**
   * Another AWS organization's integration in the same Datadog organization, with the default role
   * name (as Datadog's own template makes it), for an account outside ours: it must never change.
   */
  seedOtherOrganization(accountId: string, marker?: string, label: string = DEFAULT_TARGET): void {
    this.seedOtherTeam({ account_id: accountId, role_name: ROLE, host_tags: ['team:other-org', ...(marker ? [marker] : [])] }, label);
  }

  // ------------------------------------------------------------ drive

  deliverEvent(event: unknown): Promise<{ enqueued: number }> {
    return this.intake(event);
  }

  async reconcile(): Promise<ReconcileSummary> {
    this.startRun();
    const summary = await this.reconcileHandler(scheduledEvent({ time: this.model.now() }), { getRemainingTimeInMillis: () => 15 * 60 * 1000 });
    this.auditDeletions();
    return summary;
  }

  /**
   * Drains the queue as the event source mapping does: receive up to 10 visible messages, invoke
   * the worker, delete the successes, leave the failures (their visibility as the worker set it,
   * else the queue's default); when nothing is visible, move the clocks to the next visibility.
   */
  async runUntilIdle(options: RunOptions = {}): Promise<RunStats> {
    const maxSteps = options.maxSteps ?? 500;
    const maxQueueTimeMs = options.maxQueueTimeMs ?? 6 * HOUR_MS;
    const start = this.queue.now;
    let invocations = 0;
    let recordsProcessed = 0;
    let recordsFailed = 0;
    const stats = (idle: boolean): RunStats => ({ idle, invocations, recordsProcessed, recordsFailed, queueTimeMs: this.queue.now - start });
    while (invocations < maxSteps) {
      const messages = this.queue.receive(10);
      if (messages.length === 0) {
        const next = this.queue.nextVisibleAt();
        if (next === undefined) return stats(this.queue.depth === 0);
        if (next - start > maxQueueTimeMs) return stats(false);
        this.advance(next - this.queue.now);
        continue;
      }
      invocations++;
      const failed = await this.invokeWorker(messages);
      recordsProcessed += messages.length;
      recordsFailed += failed;
    }
    return stats(false);
  }

  /** One worker invocation on these messages; returns how many failed. */
  async invokeWorker(messages: readonly ReceivedMessage[]): Promise<number> {
    const records: SQSRecord[] = messages.map((m) => {
      const record = sqsFifoRecord({
        body: m.body,
        groupId: m.groupId,
        receiveCount: m.receiveCount,
        deduplicationId: m.deduplicationId,
        messageId: m.messageId,
        sentAt: new Date(this.baseTime + m.sentAt),
      });
      return {
        ...record,
        receiptHandle: m.receiptHandle,
        attributes: {
          ...record.attributes,
          SequenceNumber: m.sequenceNumber,
          ApproximateFirstReceiveTimestamp: String(this.baseTime + m.firstReceivedAt),
        },
      };
    });
    let response: SQSBatchResponse;
    this.startRun();
    try {
      response = await this.worker(sqsEvent(...records), lambdaContext('datadog-aws-org-integration-worker'));
    } catch {
      // The invocation failed as a whole: Lambda leaves every message to its visibility timeout.
      this.workerCrashes++;
      this.auditDeletions();
      return messages.length;
    }
    const failures = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of messages) if (!failures.has(message.messageId)) this.queue.deleteMessage(message.receiptHandle);
    this.auditDeletions();
    return failures.size;
  }

  /** Did this run itself create the integration (v1 body, or v2's data.attributes) before deleting it? */
  private createdInThisRun(target: HarnessTarget, deleteIndex: number, identity: Identity): boolean {
    return target.datadog.requests.slice(target.runStart, deleteIndex).some((request) => {
      if (request.method !== 'POST' || !/^\/api\/v1\/integration\/aws$|^\/api\/v2\/integration\/aws\/accounts$/.test(request.path)) return false;
      const v1 = (request.body ?? {}) as AWSAccount;
      const v2 = ((request.body as { data?: { attributes?: { aws_account_id?: string; auth_config?: { role_name?: string } } } } | undefined)?.data?.attributes) ?? {};
      const accountId = v1.account_id ?? v2.aws_account_id;
      const roleName = v1.role_name ?? v2.auth_config?.role_name;
      return accountId === identity.account_id && roleName === identity.role_name;
    });
  }

  /** Marks where a worker or reconcile run starts in each stand-in's request log (to tell a run's undoing of its own create). */
  private startRun(): void {
    this.auditDeletions();
    for (const target of this.targets.values()) target.runStart = target.datadog.requests.length;
  }

  /** Excluded by configuration, and scope.onExclusion leaves such accounts alone. */
  private leftAlone(accountId: string): boolean {
    if (this.config.scope.onExclusion === 'offboard') return false;
    const account = this.model.getAccount(accountId);
    return Boolean(
      account?.inOrganization &&
        account.state === 'ACTIVE' &&
        ((accountId === this.model.managementAccountId && !this.config.scope.includeManagementAccount) || this.config.scope.excludeAccounts.includes(accountId)),
    );
  }

  private inScopeNow(accountId: string): boolean {
    const account = this.model.getAccount(accountId);
    return Boolean(
      account &&
        account.inOrganization &&
        account.state === 'ACTIVE' &&
        (accountId !== this.model.managementAccountId || this.config.scope.includeManagementAccount) &&
        !this.config.scope.excludeAccounts.includes(accountId),
    );
  }

  /** Classifies the DELETE requests each Datadog organization saw since the last look: right (account out of scope, or a move's leftover) or wrong. */
  private auditDeletions(): void {
    for (const target of this.targets.values()) {
      const { datadog } = target;
      const requests = datadog.requests;
      for (; target.seen < requests.length; target.seen++) {
        const request = requests[target.seen]!;
        if (request.method !== 'DELETE' || !request.authorized) continue;
        // A DELETE of what is already gone (a second run on older facts, a retried request) removes nothing.
        if (!datadog.removed(target.seen)) {
          this.noopDeletes++;
          continue;
        }
        const v2 = V2_ACCOUNT_PATH.exec(request.path);
        // v1 names the integration in the body; v2 by its config UUID in the path.
        const body: Identity = v2 ? (datadog.identityOf(decodeURIComponent(v2[1]!)) ?? {}) : ((request.body ?? {}) as AWSAccount);
        const accountId = body.account_id ?? '';
        let why = OUT_OF_SCOPE;
        const marked = datadog.tagsOf(accountId, body.role_name ?? '').some((tag) => tag.toLowerCase() === this.marker);
        if (body.access_key_id || body.role_name !== ROLE) why = 'not our integration';
        else if (!this.inOurOrganization(accountId) && !marked) why = "another organization's integration (not in ours, without our marker)";
        else if (this.leftAlone(accountId)) why = 'the account is excluded by configuration (left alone)';
        else if (this.protectedAccounts.has(accountId)) why = 'the account was only misread as gone';
        else if (this.createdInThisRun(target, target.seen, body)) why = ROLLED_BACK;
        else if (this.inScopeNow(accountId) && this.expectedTarget(accountId) === target.label) why = 'the account is in scope';
        else if (this.inScopeNow(accountId)) why = marked ? MOVED : `the account moved to ${this.expectedTarget(accountId)}, but this integration lacked our marker`;
        this.deletions.push({
          target: target.label,
          accountId,
          roleName: body.role_name,
          accessKeyId: body.access_key_id,
          wrong: why !== OUT_OF_SCOPE && why !== MOVED && why !== ROLLED_BACK,
          why,
        });
      }
    }
  }

  /** Waits until neither stand-in has served anything for `quietMs` (work a failed run left in flight), at most `maxMs`. */
  async settle(quietMs = 300, maxMs = 10_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    let seen = -1;
    while (Date.now() < deadline) {
      const now = this.model.calls.length + [...this.targets.values()].reduce((sum, t) => sum + t.datadog.requests.length, 0);
      if (now === seen) return;
      seen = now;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }

  // ------------------------------------------------------------ check

  get datadogRetries(): number {
    return this.retryNotices.length;
  }

  /**
   * Every problem with the end state; empty when converged. accountsChecked: accounts found in
   * the right state; inScopeConverged: those of them that must be (and are) integrated.
   */
  finalCheck(expectations: Expectations = {}): { problems: string[]; accountsChecked: number; inScopeConverged: number } {
    this.auditDeletions();
    const problems: string[] = [];
    const targets = [...this.targets.values()];
    const several = targets.length > 1;
    // With several Datadog organizations, problems name the one they are in.
    const where = (t: HarnessTarget) => (several ? ` in Datadog ${t.label}` : '');
    const ids = new Set<string>([
      ...this.model.listAccounts().map((a) => a.id),
      ...targets.flatMap((t) => t.datadog.stored().map((a) => a.account_id)).filter((id): id is string => Boolean(id)),
      ...(expectations.alsoCheck ?? []),
    ]);
    let accountsChecked = 0;
    let inScopeConverged = 0;
    for (const accountId of [...ids].sort()) {
      const inScope = this.inScopeNow(accountId);
      const expected = this.target(this.expectedTarget(accountId));
      const ours = this.ours(accountId, expected.label);
      const before = problems.length;
      const account = this.model.getAccount(accountId);
      if (this.leftAlone(accountId)) {
        // Nothing expected: whatever is there is compared as another team's below.
      } else if (inScope) {
        if (ours.length !== 1) problems.push(`${accountId}: in scope, ${ours.length} integrations with role ${ROLE}${where(expected)} (want 1)`);
        else if (!(ours[0]!.host_tags ?? []).includes(this.marker)) problems.push(`${accountId}: in scope, our integration lacks the marker ${this.marker}`);
        for (const other of targets.filter((t) => t !== expected)) {
          // Another team's integration seeded there with our role name (unmarked) is compared as theirs below.
          const left = this.ours(accountId, other.label).filter((a) => !other.others.some((o) => o.account_id === a.account_id && o.role_name === a.role_name)).length;
          if (left) problems.push(`${accountId}: reports to Datadog ${expected.label}, still ${left} integration(s) of ours in Datadog ${other.label}`);
        }
        const role = this.model.getRole(accountId, ROLE);
        const externalId = ours[0]?.external_id;
        const principal = expected.principal;
        if (!role) problems.push(`${accountId}: in scope, no role ${ROLE}`);
        else {
          if (role.tags['managed-by'] !== MANAGED_BY) problems.push(`${accountId}: role ${ROLE} lacks the managed-by tag`);
          if (!externalId || !this.model.canAssume(accountId, ROLE, { principalAccount: principal, externalId })) {
            const why = this.model.explainAssume(accountId, ROLE, { principalAccount: principal, externalId }).reason;
            problems.push(`${accountId}: Datadog${several ? ` ${expected.label}` : ''} cannot assume ${ROLE} with its current external ID (${why})`);
          }
          if (this.model.canAssume(accountId, ROLE, { principalAccount: principal, externalId: 'not-the-external-id' })) {
            problems.push(`${accountId}: the role's trust accepts a wrong external ID`);
          }
          if (this.model.canAssume(accountId, ROLE, { principalAccount: '999988887777', externalId })) {
            problems.push(`${accountId}: the role trusts an account other than Datadog's`);
          }
          for (const other of targets.filter((t) => t.principal !== principal)) {
            if (this.model.canAssume(accountId, ROLE, { principalAccount: other.principal, externalId })) {
              problems.push(`${accountId}: the role still trusts Datadog ${other.label}'s principal ${other.principal}`);
            }
          }
        }
      } else {
        const integrated = targets.filter((t) => this.ours(accountId, t.label).length > 0).map((t) => t.label);
        if (integrated.length) {
          problems.push(
            `${accountId}: out of scope (${account ? `${account.state}${account.inOrganization ? '' : ', not in the organization'}` : 'unknown account'}), still integrated with role ${ROLE}${several ? ` in Datadog ${integrated.join(', ')}` : ''}`,
          );
        }
        // Reachable but out of scope: a role we created must be gone too.
        if (account?.inOrganization && account.state === 'ACTIVE' && accountId !== this.model.managementAccountId) {
          const role = this.model.getRole(accountId, ROLE);
          if (role?.tags['managed-by'] === MANAGED_BY) problems.push(`${accountId}: out of scope, our role is still there`);
        }
        if (!account && this.model.iamWrites(accountId).length > 0) problems.push(`${accountId}: IAM writes in an account outside the organization`);
      }
      if (problems.length === before) {
        accountsChecked++;
        if (inScope) inScopeConverged++;
      }
    }
    for (const target of targets) {
      const stored = target.datadog.stored();
      for (const other of target.others) {
        const now = stored.find((a) =>
          other.access_key_id ? a.access_key_id === other.access_key_id : a.account_id === other.account_id && a.role_name === other.role_name && !a.access_key_id,
        );
        const name = `another team's integration ${other.account_id ?? ''}/${other.role_name ?? other.access_key_id}${where(target)}`;
        if (!now) problems.push(`${name} was deleted`);
        else if (JSON.stringify(now) !== JSON.stringify(other)) problems.push(`${name} was changed`);
      }
    }
    const text = this.text();
    for (const secret of this.secrets) {
      const lines = text.split('\n').filter((line) => line.includes(secret)).length;
      if (lines) problems.push(`a Datadog key (${secret.slice(0, 8)}...) appears in ${lines} captured log line(s)`);
    }
    for (const deletion of this.deletions.filter((d) => d.wrong)) {
      problems.push(`wrong deletion of ${deletion.accountId}/${deletion.roleName ?? deletion.accessKeyId}${several ? ` in Datadog ${deletion.target}` : ''}: ${deletion.why}`);
    }
    const wantDead = expectations.deadLetters ?? 0;
    if (this.queue.deadLetters.length !== wantDead) {
      problems.push(`dead-letter queue holds ${this.queue.deadLetters.length} message(s), want ${wantDead}: ${this.queue.deadLetters.map((m) => m.body).join(' | ')}`);
    }
    if (!expectations.allowPending && this.queue.depth > 0) problems.push(`the queue still holds ${this.queue.depth} message(s)`);
    if (this.workerCrashes) problems.push(`the worker invocation itself failed ${this.workerCrashes} time(s)`);
    return { problems, accountsChecked, inScopeConverged };
  }

  get wrongDeletions(): number {
    this.auditDeletions();
    return this.deletions.filter((d) => d.wrong).length;
  }
}
