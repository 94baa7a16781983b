import { needsAccountTags, type Config } from '../config/schema';
import type { Integration } from '../datadog/port';
import type { OrganizationDependencies } from '../organization-dependencies';
import type { ObservedOrgAccount, OrganizationFacts } from '../observe/organizations';
import { accountPlanner, workKind, type OrganizationPlan, type TargetListing } from '../plan/plan-organization';
import type { AccountFacts } from '../queue/messages';
import { accountListings, observeOrganization, type ObservedOrganization } from './observe-organization';
import { accountsForWorkers, guardLimits, heldBackByGuard, isOursInScope, planObservedOrganization } from './organization-work';

/** The scheduled reconcile: the walk streams work to the queue while it goes on; the whole plan adds the rest. */

export interface ReconcileRun {
  readonly plan: OrganizationPlan;
  readonly observed: ObservedOrganization;
  /** Accounts handed to `enqueue`, in order. */
  readonly enqueued: readonly string[];
  /** Accounts with a deletion the guard held back. */
  readonly heldBack: readonly string[];
}

export interface ReconcileItem {
  readonly accountId: string;
  /** What the walk read, so the worker need not read Organizations again (absent for deletions: those are re-read). */
  readonly facts?: AccountFacts;
  /** The deletion guard tripped in this run: the worker deletes nothing for this account. */
  readonly holdDeletions?: boolean;
}

/**
 * The scheduled reconcile: walk, plan, and hand every account that needs work to `enqueue`.
 * Creations and repairs are handed over while the walk goes on (when no tags are needed), so the
 * workers start at once; deletions wait for the whole plan, because the deletion guard counts them.
 */
export async function reconcileOrganization(
  config: Config,
  deps: OrganizationDependencies,
  options: { enqueue: (items: ReconcileItem[]) => Promise<void>; dryRun: boolean; tagsDeadline?: number },
): Promise<ReconcileRun> {
  const queue = new WorkQueue(options.enqueue, options.dryRun);
  const facts = new FactsWriter(deps.now().toISOString());
  const streaming = !needsAccountTags(config);
  // The targets' listings arrive once; grouped by account once.
  let planner: WalkPlanner | undefined;
  const observed = await observeOrganization(config, deps, {
    tagsDeadline: options.tagsDeadline,
    onOrganization: (organization) => facts.organizationIs(organization),
    onAccounts: streaming
      ? (page, listings) => {
          const work = workWhileWalking(page, (planner ??= walkPlanner(listings, facts, config)), facts, config);
          queue.send(work.roleChecks);
          // Without role checks streamed alongside there is nothing for Datadog work to hold back.
          if (config.reconcile.inspectRoles) queue.sendInFullBatches(work.datadogWork);
          else queue.send(work.datadogWork);
        }
      : undefined,
  });
  queue.flush();
  const plan = planObservedOrganization(observed, config, guardLimits(config));
  queue.send(workOfPlan(plan, observed, facts, config));
  await queue.drained();
  return { plan, observed, enqueued: queue.enqueued, heldBack: heldBackByGuard(plan) };
}

/** An SQS batch, and the most records the worker is handed at once. */
const FULL_BATCH = 10;

/** Hands items to `enqueue` at most once per account, as they come; the first failure fails the run. */
class WorkQueue {
  readonly enqueued: string[] = [];
  private readonly sent = new Set<string>();
  private held: ReconcileItem[] = [];
  private readonly sending: Promise<void>[] = [];
  private failure: unknown;

  constructor(
    private readonly enqueue: (items: ReconcileItem[]) => Promise<void>,
    private readonly dryRun: boolean,
  ) {}

  send(items: readonly ReconcileItem[]): void {
    const fresh = items.filter((item) => !this.sent.has(item.accountId));
    if (fresh.length === 0 || this.dryRun) return;
    for (const item of fresh) this.sent.add(item.accountId);
    this.enqueued.push(...fresh.map((item) => item.accountId));
    // Listened to at once: a failure must fail the run, not linger unhandled while the walk goes on.
    this.sending.push(this.enqueue(fresh).catch((error: unknown) => void (this.failure ??= error)));
  }

  /**
   * Items held until they fill a batch. A worker invocation lasts as long as its slowest account:
   * accounts with Datadog writes (a second or more, at Datadog's write rate) batched together, and
   * with those of other pages (other branches, other Datadog targets), do not hold the slots of
   * role checks that take a fraction of that.
   */
  sendInFullBatches(items: readonly ReconcileItem[]): void {
    this.held.push(...items);
    const full = this.held.length - (this.held.length % FULL_BATCH);
    if (full === 0) return;
    this.send(this.held.slice(0, full));
    this.held = this.held.slice(full);
  }

  /** What is held goes now. */
  flush(): void {
    this.send(this.held);
    this.held = [];
  }

  async drained(): Promise<void> {
    await Promise.all(this.sending);
    if (this.failure !== undefined) throw this.failure;
  }
}

/** The facts a message carries, so the worker need not read Organizations again; the organization's are known once the walk starts. */
class FactsWriter {
  private organization: Pick<OrganizationFacts, 'organizationId' | 'partition'> = { organizationId: '', partition: 'aws' };

  constructor(private readonly observedAt: string) {}

  organizationIs(organization: Pick<OrganizationFacts, 'organizationId' | 'partition'>): void {
    this.organization = organization;
  }

  get partition() {
    return this.organization.partition;
  }

  get organizationId() {
    return this.organization.organizationId;
  }

  of(account: ObservedOrgAccount, tagsRead: boolean, listed: { integrations?: readonly Integration[]; elsewhere: Record<string, readonly Integration[]> }): AccountFacts {
    const { integrations, elsewhere } = listed;
    return {
      observedAt: this.observedAt,
      partition: this.organization.partition,
      organizationId: this.organization.organizationId,
      state: account.state,
      name: account.name,
      parentPath: [...account.parentPath],
      tags: { ...account.tags },
      tagsRead,
      isManagementAccount: account.isManagementAccount,
      ...(account.joinedAt && { joinedAt: account.joinedAt.toISOString() }),
      ...(integrations && { integrations: [...integrations] }),
      ...(Object.keys(elsewhere).length > 0 && { elsewhere: Object.fromEntries(Object.entries(elsewhere).map(([target, there]) => [target, [...there]])) }),
    };
  }
}

interface WalkPlanner {
  plan: ReturnType<typeof accountPlanner>;
  listed: ReturnType<typeof accountListings>;
}

function walkPlanner(listings: readonly TargetListing[], facts: FactsWriter, config: Config): WalkPlanner {
  return { plan: accountPlanner(listings, config, facts), listed: accountListings({ listings }, config) };
}

/** While the walk goes on: the active accounts of a page whose Datadog side needs work, and those whose role is checked; planned without roles. */
function workWhileWalking(page: readonly ObservedOrgAccount[], planner: WalkPlanner, facts: FactsWriter, config: Config) {
  const datadogWork: ReconcileItem[] = [];
  const roleChecks: ReconcileItem[] = [];
  for (const account of page) {
    if (account.state !== 'ACTIVE') continue;
    const plan = planner.plan(account, { kind: 'not-inspected' });
    // An account with a deletion (a move's leftover) waits for the whole plan: the deletion guard counts it.
    if (plan.actions.some((a) => a.type === 'delete-integration')) continue;
    const kind = workKind(plan);
    const listed = planner.listed(account);
    const item = () => ({ accountId: account.accountId, facts: facts.of(account, false, listed) });
    if (kind === 'create' || kind === 'repair') datadogWork.push(item());
    // In sync on Datadog's side: its role is still checked, when roles are inspected and it is ours.
    else if (config.reconcile.inspectRoles && kind === 'in-sync' && isOursInScope(account, listed.integrations ?? [], config)) roleChecks.push(item());
  }
  return { datadogWork, roleChecks };
}

/** Once the plan is whole: every account for the workers; deletions carry no facts (re-read), and the guard's verdict. */
function workOfPlan(plan: OrganizationPlan, observed: ObservedOrganization, facts: FactsWriter, config: Config): ReconcileItem[] {
  const deleting = new Set(plan.plans.filter((p) => p.actions.some((a) => a.type === 'delete-integration')).map((p) => p.accountId));
  const holdDeletions = plan.guard.tripped;
  const accounts = new Map(observed.snapshot.accounts.map((a) => [a.accountId, a]));
  const listed = accountListings(observed, config);
  return accountsForWorkers(plan, observed, config).map((accountId) => {
    const account = accounts.get(accountId);
    const usable = account && !deleting.has(accountId);
    return {
      accountId,
      facts: usable ? facts.of(account, observed.snapshot.tagsRead.has(accountId), listed(account)) : undefined,
      ...(holdDeletions && { holdDeletions }),
    };
  });
}
