/**
 * npm run bench -- reconcile
 *
 * The scheduled reconcile over simulated organizations of 1,000 and 10,000 accounts (OU tree of
 * depth 3, 5% drift), in virtual time: the product's own code (walk, plan, stream to the queue,
 * workers converging each message with the facts it carries) against in-process AWS and Datadog
 * fakes that charge latency and rate limits. Simulated seconds, not real ones.
 */
import { parseConfig } from '../lambda/config/schema';
import { convergeAccount, type ConvergeResult } from '../lambda/converge';
import { MemberAccess } from '../lambda/observe/member-access';
import { OrganizationsReader } from '../lambda/observe/organizations';
import { usableFacts } from '../lambda/queue/worker';
import { observeOrganization } from '../lambda/reconcile/observe-organization';
import { guardLimits, planObservedOrganization } from '../lambda/reconcile/organization-work';
import { reconcileOrganization, type ReconcileItem } from '../lambda/reconcile/stream';
import { buildOrganization, createSimulatedAws, seedState, SimulatedDatadog, VirtualClock, type SimulatedOrganization } from './sim';

const LATENCY = { organizations: 60, sts: 80, iam: 80, datadog: 150 };
const ORGANIZATIONS_PER_SECOND = 10;
const DATADOG_WRITES_PER_SECOND = 5;
const WORKERS = 32;
const PAGE = 20;

interface RunFigures {
  accounts: number;
  drifted: number;
  simulatedSeconds: number;
  lowerBoundSeconds: number;
  walkSeconds: number;
  calls: { organizations: number; sts: number; iam: number; datadogReads: number; datadogWrites: number };
  minimum: { organizations: number; datadogWrites: number };
  failed: number;
  realSeconds: number;
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

function setUp(accounts: number, inSyncFraction: number) {
  // v1: the simulated Datadog (bench/sim/datadog.ts) is v1-shaped; its list returns no external IDs.
  const config = parseConfig({ datadog: { apiVersion: 'v1' }, reconcile: { concurrency: 4 } }, 'bench config');
  const clock = new VirtualClock();
  const org = buildOrganization({ accounts, depth: 3, branching: 3, seed: 1, clock });
  const datadog = new SimulatedDatadog(clock, { latencyMs: LATENCY.datadog, writeRatePerSecond: DATADOG_WRITES_PER_SECOND });
  const seeded = seedState(org.model, datadog, config, { inSyncFraction, seed: 7 });
  const aws = createSimulatedAws(org.model, clock, {
    organizations: { latencyMs: LATENCY.organizations, ratePerSecond: ORGANIZATIONS_PER_SECOND },
    sts: { latencyMs: LATENCY.sts },
    iam: { latencyMs: LATENCY.iam },
  });
  const organizations = new OrganizationsReader(aws.sdk.organizations);
  const deps = {
    organizationsClient: aws.sdk.organizations,
    organizations,
    datadog,
    memberAccess: new MemberAccess(aws.sdk.sts, (credentials) => aws.sdk.iamFor(credentials)),
    now: () => clock.date(),
  };
  return { config, clock, org, datadog, seeded, aws, deps };
}

function callsOf(setup: ReturnType<typeof setUp>) {
  const { aws, datadog } = setup;
  const dd = datadog.service.stats();
  return {
    organizations: aws.services.organizations.stats().calls,
    sts: aws.services.sts.stats().calls,
    iam: aws.services.iam.stats().calls,
    datadogReads: dd.reads,
    datadogWrites: dd.writes,
  };
}

/** The reconcile as deployed: the reconciler streams work to the queue; workers converge each message. */
async function reconcileRun(accounts: number): Promise<RunFigures> {
  const realStart = performance.now();
  const setup = setUp(accounts, 0.95);
  const { config, clock, org, deps, seeded } = setup;
  const queue: ReconcileItem[] = [];
  const results: ConvergeResult[] = [];
  let walkDone = false;
  let walkSeconds = 0;
  // Idle workers wait here; an enqueue or the end of the walk wakes them all.
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const waking = waiters;
    waiters = [];
    waking.forEach((resolve) => resolve());
  };

  await clock.run(async () => {
    const start = clock.now();
    const worker = async () => {
      for (;;) {
        const item = queue.shift();
        if (!item) {
          if (walkDone) return;
          await new Promise<void>((resolve) => waiters.push(resolve));
          continue;
        }
        const known = usableFacts(item.accountId, item.facts, config, clock.date());
        results.push(await convergeAccount(item.accountId, { config, deps, dryRun: false, known }));
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);
    await reconcileOrganization(config, deps, {
      dryRun: false,
      enqueue: async (items) => {
        queue.push(...items);
        wakeAll();
      },
    });
    walkSeconds = (clock.now() - start) / 1000;
    walkDone = true;
    wakeAll();
    await Promise.all(workers);
  });

  const simulatedSeconds = clock.now() / 1000;
  const minimum = { organizations: fewestOrganizationsCalls(org), datadogWrites: seeded.drifted.length };
  // Each service alone: the fewest calls it must receive over its rate, plus one latency. STS and IAM have no limit here.
  const lowerBoundSeconds = Math.max(
    minimum.organizations / ORGANIZATIONS_PER_SECOND + LATENCY.organizations / 1000,
    minimum.datadogWrites / DATADOG_WRITES_PER_SECOND + LATENCY.datadog / 1000,
    LATENCY.sts / 1000,
    LATENCY.iam / 1000,
  );
  return {
    accounts,
    drifted: seeded.drifted.length,
    simulatedSeconds,
    lowerBoundSeconds,
    walkSeconds,
    calls: callsOf(setup),
    minimum,
    failed: results.filter((r) => r.status === 'error' || r.status === 'retry').length,
    realSeconds: (performance.now() - realStart) / 1000,
  };
}

/** `dd-aws-org plan` on an organization fully in sync: how many Organizations calls it costs. */
async function inSyncPlan(accounts: number): Promise<{ organizations: number; minimum: number; datadog: number; inSync: number; seconds: number }> {
  const setup = setUp(accounts, 1);
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

export async function runReconcileBench(): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(
    `Reconcile, simulated: OU tree depth 3 (branching 3), 5% drift (missing integration / missing role / settings), ` +
      `latency Organizations ${LATENCY.organizations} ms, STS and IAM ${LATENCY.sts} ms, Datadog ${LATENCY.datadog} ms; ` +
      `Organizations ${ORGANIZATIONS_PER_SECOND} calls/s, Datadog writes ${DATADOG_WRITES_PER_SECOND}/s; ${WORKERS} workers.`,
  );
  out();
  const runs: RunFigures[] = [];
  for (const size of [1_000, 10_000]) runs.push(await reconcileRun(size));

  const rows = runs.map((r) => [
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
    String(r.failed),
    `${r.realSeconds.toFixed(1)} s`,
  ]);
  const headers = ['accounts', 'drifted', 'wall (simulated)', 'lower bound', 'ratio', 'walk', 'Organizations calls', 'Datadog reads / writes', 'STS', 'IAM', 'not converged', 'real time'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  out([line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  out();
  out('lower bound: for each service, the fewest calls it must receive divided by its rate limit, plus one latency; the largest of them.');

  const plan = await inSyncPlan(10_000);
  const planBound = plan.minimum / ORGANIZATIONS_PER_SECOND + LATENCY.organizations / 1000;
  out(
    `plan of an in-sync organization of 10,000 accounts: ${fmt(plan.organizations)} Organizations calls (goal: under 600; min ${fmt(plan.minimum)}), ` +
      `${plan.datadog} Datadog call, ${plan.seconds.toFixed(1)} s simulated, ${(plan.seconds / planBound).toFixed(2)}x the lower bound, ${fmt(plan.inSync)} accounts in sync`,
  );
  const last = runs.at(-1)!;
  out(`reconcile 10,000 accounts: ${last.simulatedSeconds.toFixed(1)} s, ${(last.simulatedSeconds / last.lowerBoundSeconds).toFixed(2)}x the lower bound`);
}
