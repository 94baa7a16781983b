/**
 * npm run bench -- reconcile
 *
 * The scheduled reconcile over simulated organizations of 1,000 and 10,000 accounts (OU tree of
 * depth 3, 5% drift), in virtual time: the product's own code (walk, plan, stream to the queue,
 * workers converging each message with the facts it carries) against in-process AWS and Datadog
 * fakes that charge latency and rate limits. Simulated seconds, not real ones.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { eventSourceMaxConcurrency, WORKER_BATCH_SIZE, WORKER_TIMEOUT } from '../lib/functions/worker';
import { VISIBILITY_TIMEOUT_TIMEOUTS } from '../lib/queue';
import { parseConfig, type Config } from '../lambda/config/schema';
import type { PortCapabilities } from '../lambda/datadog/port';
import { enqueueAccounts } from '../lambda/queue/messages';
import { MemberAccess } from '../lambda/observe/member-access';
import { DatadogPermissionSource } from '../lambda/observe/datadog-permissions';
import { OrganizationsReader } from '../lambda/observe/organizations';
import { createWorkerHandler } from '../lambda/queue/worker';
import { observeOrganization } from '../lambda/reconcile/observe-organization';
import { guardLimits, planObservedOrganization } from '../lambda/reconcile/organization-work';
import { reconcileOrganization, type ReconcileItem } from '../lambda/reconcile/stream';
import { routingOf } from '../lambda/config/profiles';
import { credentialsProvider } from '../lambda/datadog/credentials';
import { datadogTargets } from '../lambda/datadog/targets';
import { scopeOf } from '../lambda/domain/scope';
import { runEventSource, SimulatedFifoQueue, type EventSourceSettings, type ExecutionEnvironments, type QueueFigures } from './sim/queue';
import {
  buildOrganization,
  createSimulatedAws,
  fewestDatadogWrites,
  orgAccountOf,
  seedState,
  SimulatedDatadog,
  VirtualClock,
  withCredentials,
  type SeededState,
  type SimulatedOrganization,
  type SimulatedService,
} from './sim';

// Assumed (no published limit): Organizations' API is throttled near 10 calls/s per account
// (AWS's Organizations quotas page lists per-operation throttles without figures; 10/s is the
// order of the SDK's observed TooManyRequests); Datadog publishes no limit for its AWS
// integration endpoints, so writes are assumed at 5/s per Datadog organization, a rate the
// simulated service answers as the client honours a 429: the call waits for X-RateLimit-Reset.
// Latencies are typical round trips from a Lambda in us-east-1 (assumed, not measured).
export const LATENCY = { organizations: 60, sts: 80, iam: 80, datadog: 150 };
export const ORGANIZATIONS_PER_SECOND = 10;
export const DATADOG_WRITES_PER_SECOND = 5;
const PAGE = 20;
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111111111111/bench.fifo';

/** What the stack deploys: the configuration's defaults and the construct's settings, read from the code. */
export interface Deployed {
  readonly config: Config;
  /** The configuration as written (what a scenario adds its profiles to). */
  readonly input: Record<string, unknown>;
  readonly eventSource: EventSourceSettings;
  /** The figures are the deployed defaults' (no --workers, no --api-version). */
  readonly defaults: boolean;
}

export function deployed(workers?: number, apiVersion?: 'v1' | 'v2'): Deployed {
  // The default apiVersion (v2): the simulated Datadog answers v2's requests under the product's own v2 adapter.
  const input = { ...(workers !== undefined && { deployment: { workerConcurrency: workers } }), ...(apiVersion && { datadog: { apiVersion } }) };
  const config = parseConfig(input, 'bench config');
  const concurrency = config.deployment.workerConcurrency;
  const timeoutMs = WORKER_TIMEOUT.toMilliseconds();
  return {
    config,
    input,
    defaults: workers === undefined && apiVersion === undefined,
    eventSource: {
      reservedConcurrency: concurrency,
      maxConcurrency: eventSourceMaxConcurrency(concurrency),
      batchSize: WORKER_BATCH_SIZE,
      timeoutMs,
      visibilityTimeoutMs: timeoutMs * VISIBILITY_TIMEOUT_TIMEOUTS,
      maxReceiveCount: config.deployment.maxReceiveCount,
    },
  };
}


/** The fewest Organizations calls that find every account's OU path: per parent, one page of child OUs and one per 20 accounts. */
function fewestOrganizationsCalls(org: SimulatedOrganization): number {
  const parents = [org.rootId, ...org.levels.flat()];
  const childOus = new Map<string, number>();
  for (const level of org.levels) for (const ou of level) {
    const parent = org.model.getOu(ou)!.parentId;
    childOus.set(parent, (childOus.get(parent) ?? 0) + 1);
  }
  const accountsIn = new Map<string, number>();
  for (const account of org.model.listAccounts()) accountsIn.set(account.parentId, (accountsIn.get(account.parentId) ?? 0) + 1);
  const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
  // DescribeOrganization (partition, management account) and ListRoots, then the tree.
  return 2 + parents.reduce((sum, id) => sum + pages(childOus.get(id) ?? 0) + pages(accountsIn.get(id) ?? 0), 0);
}

export interface SetUpOptions {
  readonly inSyncFraction: number;
  /** Drift kinds by weight (seedState's default mix when absent). */
  readonly mix?: Parameters<typeof seedState>[3]['mix'];
  /** Profiles over the organization's OUs, added to the deployed configuration (none: one Datadog target). */
  readonly profiles?: (org: SimulatedOrganization) => unknown[];
}

/** One Datadog organization the accounts report to: its own simulated service (own rate limits) and its drifted accounts. */
interface TargetSetUp {
  readonly name: string;
  readonly datadog: SimulatedDatadog;
  /** The secret its keys are read from (the default target's keys come from the environment). */
  readonly secretId?: string;
  readonly seeded: SeededState;
}

/** Seeds each target with the accounts routed to it, with that target's settings (its site's Datadog principal in the trust). */
function seedTargets(org: SimulatedOrganization, config: Config, clock: VirtualClock, options: SetUpOptions): TargetSetUp[] {
  const routing = routingOf(config);
  const inScope = org.model.listAccounts().map((account) => orgAccountOf(org.model, account)).filter((account) => scopeOf(account, config.scope).inScope);
  return routing.targets.map((target, index) => {
    // The default target's simulated Datadog as in the one-target scenarios; each other one its own organization.
    const datadog = new SimulatedDatadog(clock, {
      latencyMs: LATENCY.datadog,
      writeRatePerSecond: DATADOG_WRITES_PER_SECOND,
      apiVersion: target.datadog.apiVersion,
      ...(index > 0 && { seed: index }),
    });
    const seedOptions = { inSyncFraction: options.inSyncFraction, seed: 7, ...(options.mix && { mix: options.mix }) };
    const accountIds = routing.multiTarget ? inScope.filter((account) => routing.routeOf(account).target === target).map((a) => a.accountId) : undefined;
    const seeded = seedState(org.model, datadog, target.config, { ...seedOptions, ...(accountIds && { accountIds }) });
    return { name: target.name, datadog, seeded, ...(!target.isDefault && target.datadog.credentialsSecretId && { secretId: target.datadog.credentialsSecretId }) };
  });
}

function setUp(accounts: number, settings: Deployed, options: SetUpOptions) {
  const clock = new VirtualClock();
  const org = buildOrganization({ accounts, depth: 3, branching: 3, seed: 1, clock });
  const config = options.profiles ? parseConfig({ ...settings.input, profiles: options.profiles(org) }, 'bench config') : settings.config;
  const targets = seedTargets(org, config, clock, options);
  const datadog = targets[0]!.datadog;
  const aws = createSimulatedAws(org.model, clock, {
    organizations: { latencyMs: LATENCY.organizations, ratePerSecond: ORGANIZATIONS_PER_SECOND },
    sts: { latencyMs: LATENCY.sts },
    iam: { latencyMs: LATENCY.iam },
  });
  for (const target of targets) if (target.secretId) org.model.putSecret(target.secretId, JSON.stringify({ apiKey: `bench-api-key-${target.name}`, appKey: `bench-app-key-${target.name}` }));
  const memberAccess = new MemberAccess(aws.sdk.sts, (credentials) => aws.sdk.iamFor(credentials));
  /** What one Lambda process builds at its cold start (pipelineDependencies): its own caches of the organization, of Datadog's lists and of each target's keys. */
  const processDeps = () => {
    // Datadog's permission lists, read and cached as deployed (organization-dependencies.ts).
    const permissionSource = new DatadogPermissionSource(datadog.permissionLists(), { now: () => clock.now() });
    // Each other target's keys from its secret, read once per process by the product's own provider.
    const portOf = (target: TargetSetUp) =>
      target.secretId
        ? withCredentials(target.datadog, credentialsProvider({ secretId: target.secretId, env: {}, secretsManager: () => aws.sdk.secretsManager }))
        : target.datadog;
    return {
      organizationsClient: aws.sdk.organizations,
      organizations: new OrganizationsReader(aws.sdk.organizations),
      datadog,
      ...(targets.length > 1 && { targets: datadogTargets(new Map(targets.map((target) => [target.name, portOf(target)]))) }),
      permissions: () => permissionSource.current(),
      memberAccess,
      now: () => clock.date(),
    };
  };
  // The reconcile Lambda's (and the CLI's plan).
  const deps = processDeps();
  return { config, clock, org, datadog, targets, aws, deps, processDeps };
}

type SetUp = ReturnType<typeof setUp>;

function callsOf(setup: SetUp) {
  const { aws, targets } = setup;
  const dd = { reads: 0, writes: 0 };
  for (const { datadog } of targets) {
    const stats = datadog.service.stats();
    dd.reads += stats.reads;
    dd.writes += stats.writes;
  }
  return {
    organizations: aws.services.organizations.stats().calls,
    sts: aws.services.sts.stats().calls,
    iam: aws.services.iam.stats().calls,
    datadogReads: dd.reads,
    datadogWrites: dd.writes,
  };
}

const quiet = () => undefined;
// The worker's telemetry, silenced: the bench counts outcomes from the queue.
const silentLogger = { error: quiet, warn: quiet, info: quiet, debug: quiet, appendKeys: quiet, removeKeys: quiet, createChild: () => silentLogger } as unknown as Logger;
// With profiles, each result is also counted by Profile and Target in a single metric of its own.
const silentMetrics = { addMetric: quiet, addDimensions: quiet, publishStoredMetrics: quiet, singleMetric: () => silentMetrics } as unknown as Metrics;

/** The worker as deployed (lambda/queue/worker.ts) behind the simulated FIFO queue and event source. */
function deployedWorker(setup: SetUp, settings: Deployed) {
  const queue = new SimulatedFifoQueue(setup.clock, settings.eventSource);
  // One handler per execution environment, as Lambda loads the module in each: its caches and its one-at-a-time Datadog writes are its own.
  const handler: ExecutionEnvironments = {
    coldStart: () =>
      createWorkerHandler({
        config: setup.config,
        pipeline: setup.processDeps(),
        sqs: queue.sqsClient() as unknown as SQSClient,
        queueUrl: QUEUE_URL,
        logger: silentLogger,
        metrics: silentMetrics,
      }),
  };
  // The reconcile Lambda's own SendMessageBatch, into the simulated queue.
  const sender = {
    send: (command: { input: { Entries?: { MessageGroupId?: string; MessageBody?: string }[] } }) => {
      for (const entry of command.input.Entries ?? []) queue.send(entry.MessageGroupId!, entry.MessageBody!);
      return Promise.resolve({ Failed: [] });
    },
  } as unknown as SQSClient;
  return { queue, handler, sender };
}

function toEnqueued(runId: string, items: readonly ReconcileItem[]) {
  return items.map(({ accountId, facts, holdDeletions }) => ({
    accountId,
    facts,
    holdDeletions,
    reason: 'scheduled reconcile',
    correlationId: runId,
    deduplicationKey: `${runId}:${accountId}`,
  }));
}

export interface RunFigures {
  accounts: number;
  drifted: number;
  simulatedSeconds: number;
  lowerBoundSeconds: number;
  walkSeconds: number;
  calls: { organizations: number; sts: number; iam: number; datadogReads: number; datadogWrites: number };
  minimum: { organizations: number; datadogWrites: number; slowestTargetWrites: number };
  queue: QueueFigures;
  /** Per Datadog target: accounts seeded there, drifted, the fewest writes and the writes made, when its last call ended. */
  byTarget: { name: string; accounts: number; drifted: number; minimumWrites: number; writes: number; lastCallSeconds: number }[];
  notConverged: number;
  realSeconds: number;
}

/** The reconcile as deployed: the reconciler streams work to the queue; the event source invokes the worker on it. */
export async function reconcileRun(accounts: number, settings: Deployed, options: SetUpOptions): Promise<RunFigures> {
  const realStart = performance.now();
  const setup = setUp(accounts, settings, options);
  const { config, clock, org, deps, targets } = setup;
  const drifted = targets.flatMap((target) => target.seeded.drifted);
  const { queue, handler, sender } = deployedWorker(setup, settings);
  let walkDone = false;
  let walkSeconds = 0;
  let lastDone = 0;
  const converged = new Set<string>();
  queue.onDeleted = (accountId, at) => {
    converged.add(accountId);
    lastDone = at;
  };
  let figures: QueueFigures | undefined;
  await clock.run(async () => {
    const start = clock.now();
    const workers = runEventSource(clock, queue, settings.eventSource, handler, () => walkDone);
    await reconcileOrganization(config, deps, {
      dryRun: false,
      enqueue: (items) => enqueueAccounts(sender, QUEUE_URL, toEnqueued('reconcile-bench', items)),
    });
    walkSeconds = (clock.now() - start) / 1000;
    walkDone = true;
    figures = await workers;
  });

  const simulatedSeconds = Math.max(lastDone, walkSeconds * 1000) / 1000;
  // Each target is its own Datadog organization with its own write limit: the one with the most writes to make bounds the others.
  const writesByTarget = targets.map((target) => fewestDatadogWrites(target.seeded.drifted, target.datadog.capabilities));
  const minimum = { organizations: fewestOrganizationsCalls(org), datadogWrites: writesByTarget.reduce((a, b) => a + b, 0), slowestTargetWrites: Math.max(...writesByTarget) };
  // Each service alone: the fewest calls it must receive over its rate, plus one latency. STS and IAM have no limit here.
  const lowerBoundSeconds = Math.max(
    minimum.organizations / ORGANIZATIONS_PER_SECOND + LATENCY.organizations / 1000,
    minimum.slowestTargetWrites / DATADOG_WRITES_PER_SECOND + LATENCY.datadog / 1000,
    LATENCY.sts / 1000,
    LATENCY.iam / 1000,
  );
  return {
    accounts,
    drifted: drifted.length,
    simulatedSeconds,
    lowerBoundSeconds,
    walkSeconds,
    calls: callsOf(setup),
    minimum,
    queue: figures!,
    byTarget: targets.map((target, i) => {
      const stats = target.datadog.service.stats();
      return {
        name: target.name,
        accounts: target.seeded.inSync.length + target.seeded.drifted.length,
        drifted: target.seeded.drifted.length,
        minimumWrites: writesByTarget[i]!,
        writes: stats.writes,
        lastCallSeconds: stats.lastCallEndMs / 1000,
      };
    }),
    notConverged: drifted.filter((d) => !converged.has(d.accountId)).length,
    realSeconds: (performance.now() - realStart) / 1000,
  };
}

/**
 * The chain that must follow one another for a new account: its OU path (DescribeAccount and one
 * ListParents per level up to the root, each waiting for the previous answer, and all within
 * Organizations' rate: the settings depend on it, and so does the scope where it looks at OUs;
 * AssumeRole, the role's reads and Datadog's listing fit alongside; DescribeOrganization is left
 * out, the account's ARN tells what it would), then the external ID's way:
 * - v2 (the ID minted before the create): the mint fits alongside the OU path (once Datadog's
 *   listing shows no integration), then the role trusting it, then the integration created with it;
 * - v1 (the create issues the ID): the integration, then the role trusting its ID.
 */
function newAccountFloor(depth: number, capabilities: PortCapabilities) {
  const organizationsCalls = depth + 2;
  const ouPath = ((organizationsCalls - 1) * 1000) / ORGANIZATIONS_PER_SECOND + LATENCY.organizations;
  const ouStep = `DescribeAccount + ListParents x${depth + 1} (up to the root; ${ORGANIZATIONS_PER_SECOND}/s)`;
  if (capabilities.mintsExternalIdBeforeCreate) {
    return [
      { step: `${ouStep}, alongside ListAWSAccounts -> CreateNewAWSExternalID`, ms: Math.max(ouPath, 2 * LATENCY.datadog) },
      { step: 'iam:CreateRole trusting the minted ID', ms: LATENCY.iam },
      { step: 'CreateAWSAccount with it', ms: LATENCY.datadog },
    ];
  }
  return [
    { step: ouStep, ms: ouPath },
    { step: 'CreateAWSAccount (the external ID)', ms: LATENCY.datadog },
    { step: 'iam:CreateRole trusting it', ms: LATENCY.iam },
  ];
}

interface TracedCall {
  readonly service: string;
  readonly operation: string;
  /** Virtual ms: when the product called, and when the answer came (after any wait for a token). */
  readonly calledAt: number;
  readonly answeredAt: number;
}

/** Records every call `service` serves, for --trace-new-account. */
function traceCalls(service: SimulatedService, clock: VirtualClock, into: TracedCall[]): void {
  const call = service.call.bind(service);
  service.call = async (operation, fn, options) => {
    const calledAt = clock.now();
    try {
      return await call(operation, fn, options);
    } finally {
      into.push({ service: service.name, operation, calledAt, answeredAt: clock.now() });
    }
  };
}

/** From the CreateAccountResult event (the intake's message on the queue; EventBridge and the intake taken as instant) until the integration exists and the role trusts it. */
async function newAccountRun(accounts: number, settings: Deployed): Promise<{ seconds: number; floor: ReturnType<typeof newAccountFloor>; ready: boolean; calls: TracedCall[] }> {
  const setup = setUp(accounts, settings, { inSyncFraction: 1 });
  const { clock, org, datadog } = setup;
  const { queue, handler } = deployedWorker(setup, settings);
  const parentId = org.levels.at(-1)![0]!;
  const accountId = org.model.createAccount({ name: 'bench-new-account', parentId });
  const roleName = settings.config.role.name;
  let readyAt: number | undefined;
  // Ready: Datadog holds the integration and the role's trust names its external ID (checked after every IAM and Datadog call).
  const iam = setup.aws.services.iam;
  for (const service of [iam, datadog.service]) {
    const call = service.call.bind(service);
    service.call = async (operation, fn, options) => {
      const answer = await call(operation, fn, options);
      const externalId = datadog.externalIdOf(accountId, roleName);
      const trust = org.model.getRole(accountId, roleName)?.assumeRolePolicyDocument;
      if (readyAt === undefined && externalId && trust && JSON.stringify(trust).includes(externalId)) readyAt = clock.now();
      return answer;
    };
  }
  let sentAt = 0;
  const calls: TracedCall[] = [];
  for (const service of [setup.aws.services.organizations, setup.aws.services.sts, iam, datadog.service]) traceCalls(service, clock, calls);
  await clock.run(async () => {
    sentAt = clock.now();
    queue.send(accountId, JSON.stringify({ accountId, reason: 'CreateAccountResult', correlationId: 'bench-event' }));
    await runEventSource(clock, queue, settings.eventSource, handler, () => true);
  });
  const since = (call: TracedCall) => ({ ...call, calledAt: call.calledAt - sentAt, answeredAt: call.answeredAt - sentAt });
  return {
    seconds: ((readyAt ?? clock.now()) - sentAt) / 1000,
    floor: newAccountFloor(org.levels.length, datadog.capabilities),
    ready: readyAt !== undefined,
    calls: calls.map(since),
  };
}

/** `dd-aws-org plan` on an organization fully in sync: how many Organizations calls it costs. */
async function inSyncPlan(accounts: number, settings: Deployed): Promise<{ organizations: number; minimum: number; datadog: number; inSync: number; seconds: number }> {
  const setup = setUp(accounts, settings, { inSyncFraction: 1 });
  const { config, clock, deps } = setup;
  let inSync = 0;
  await clock.run(async () => {
    const observed = await observeOrganization(config, deps);
    inSync = planObservedOrganization(observed, config, guardLimits(config)).summary.inSync;
  });
  const calls = callsOf(setup);
  return {
    organizations: calls.organizations,
    minimum: fewestOrganizationsCalls(setup.org),
    datadog: calls.datadogReads + calls.datadogWrites,
    inSync,
    seconds: clock.now() / 1000,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** --workers N: the worker concurrency to simulate instead of the default. */
function workersFlag(argv: readonly string[]): number | undefined {
  const at = argv.indexOf('--workers');
  if (at < 0) return undefined;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 50) {
    process.stderr.write(`bench: --workers takes a whole number from 1 to 50 (deployment.workerConcurrency), not "${argv[at + 1] ?? ''}"\n`);
    process.exit(2);
  }
  return value;
}

/** --api-version v1|v2: the Datadog API to simulate instead of the default (datadog.apiVersion). */
function apiVersionFlag(argv: readonly string[]): 'v1' | 'v2' | undefined {
  const at = argv.indexOf('--api-version');
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value !== 'v1' && value !== 'v2') {
    process.stderr.write(`bench: --api-version takes v1 or v2 (datadog.apiVersion), not "${value ?? ''}"\n`);
    process.exit(2);
  }
  return value;
}

const BACKFILL = { inSyncFraction: 0, mix: { 'missing-integration': 1, 'missing-role': 0, 'settings-drift': 0 } } as const;
export const SCHEDULED = { inSyncFraction: 0.95 } as const;

/** What the command line asks to simulate (--workers, --api-version), and how the figures name it. */
export function benchSettings(argv: readonly string[]): { settings: Deployed; label: string } {
  const settings = deployed(workersFlag(argv), apiVersionFlag(argv));
  const label = settings.defaults
    ? 'deployed defaults'
    : `worker concurrency ${settings.config.deployment.workerConcurrency}, Datadog API ${settings.config.datadog.apiVersion}`;
  return { settings, label };
}

export async function runReconcileBench(argv: readonly string[] = []): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const { settings, label } = benchSettings(argv);
  const source = settings.eventSource;
  out(
    `Reconcile, simulated: OU tree depth 3 (branching 3), ` +
      `latency Organizations ${LATENCY.organizations} ms, STS and IAM ${LATENCY.sts} ms, Datadog ${LATENCY.datadog} ms (assumed); ` +
      `Organizations ${ORGANIZATIONS_PER_SECOND} calls/s, Datadog writes ${DATADOG_WRITES_PER_SECOND}/s (assumed: no published limit); Datadog API ${settings.config.datadog.apiVersion}.`,
  );
  out(
    `As deployed (${label}): worker reserved concurrency ${source.reservedConcurrency}, event source maximum concurrency ${source.maxConcurrency ?? 'none (below AWS minimum 2)'}, ` +
      `batch ${source.batchSize}, timeout ${source.timeoutMs / 1000} s, visibility ${source.visibilityTimeoutMs / 1000} s, maxReceiveCount ${source.maxReceiveCount}.`,
  );
  out();
  const runs: RunFigures[] = [];
  for (const size of [1_000, 10_000]) runs.push(await reconcileRun(size, settings, SCHEDULED));
  const backfill = await reconcileRun(10_000, settings, BACKFILL);

  const rows = [...runs, backfill].map((r, i) => [
    i < runs.length ? 'reconcile (5% drift)' : 'backfill',
    fmt(r.accounts),
    fmt(r.drifted),
    `${r.simulatedSeconds.toFixed(1)} s`,
    `${r.lowerBoundSeconds.toFixed(1)} s`,
    `${(r.simulatedSeconds / r.lowerBoundSeconds).toFixed(2)}x`,
    `${r.walkSeconds.toFixed(1)} s`,
    `${fmt(r.calls.organizations)} (min ${fmt(r.minimum.organizations)})`,
    `${fmt(r.calls.datadogReads)} / ${fmt(r.calls.datadogWrites)} (min writes ${fmt(r.minimum.datadogWrites)})`,
    fmt(r.calls.sts),
    fmt(r.calls.iam),
    `${r.queue.invocations} / ${r.queue.throttled} / ${r.queue.timedOut}`,
    String(r.queue.deadLettered),
    String(r.notConverged),
    `${r.realSeconds.toFixed(1)} s`,
  ]);
  const headers = ['run', 'accounts', 'drifted', 'wall (simulated)', 'lower bound', 'ratio', 'walk', 'Organizations calls', 'Datadog reads / writes', 'STS', 'IAM', 'invocations / throttled / timed out', 'dead-lettered', 'not converged', 'real time'];
  out(table(headers, rows));
  out();
  out('lower bound: for each service, the fewest calls it must receive divided by its rate limit, plus one latency; the largest of them.');

  const plan = await inSyncPlan(10_000, settings);
  const planBound = plan.minimum / ORGANIZATIONS_PER_SECOND + LATENCY.organizations / 1000;
  out(
    `plan of an in-sync organization of 10,000 accounts: ${fmt(plan.organizations)} Organizations calls (goal: under 600; min ${fmt(plan.minimum)}), ` +
      `${plan.datadog} Datadog call, ${plan.seconds.toFixed(1)} s simulated, ${(plan.seconds / planBound).toFixed(2)}x the lower bound, ${fmt(plan.inSync)} accounts in sync`,
  );
  const fresh = await newAccountRun(10_000, settings);
  out();
  const last = runs.at(-1)!;
  const scenario = (name: string, r: RunFigures) =>
    `${name} 10,000 accounts (${label}): ${r.simulatedSeconds.toFixed(1)} s simulated, ${(r.simulatedSeconds / r.lowerBoundSeconds).toFixed(2)}x the lower bound, ${r.queue.deadLettered} dead-lettered`;
  out(scenario('reconcile', last));
  out(scenario('backfill', backfill));
  const floorSeconds = fresh.floor.reduce((sum, s) => sum + s.ms, 0) / 1000;
  out(
    `new account ready (${label}): ${fresh.seconds.toFixed(2)} s, ${(fresh.seconds / floorSeconds).toFixed(2)}x the floor` +
      `${fresh.ready ? '' : ' (NOT ready: no integration, or no role trusting it)'} (floor ${floorSeconds.toFixed(2)} s: ${fresh.floor.map((s) => s.step).join(' -> ')})`,
  );
  if (argv.includes('--trace-new-account')) {
    out();
    out('new account, every call in the order answered (ms after the event; a wait for a rate token counts in the call):');
    for (const call of [...fresh.calls].sort((a, b) => a.answeredAt - b.answeredAt || a.calledAt - b.calledAt)) {
      out(`  ${String(call.calledAt).padStart(5)} -> ${String(call.answeredAt).padStart(5)}  ${call.service} ${call.operation}`);
    }
  }
}
