/**
 * reconcileOrganization against the AWS and Datadog stand-ins, with an `enqueue` spy: creations
 * and repairs are handed over while the walk is still going, each account once; deletions only
 * once the whole plan is known (and not at all when the guard trips); with tags needed nothing is
 * streamed and tagged accounts are decided with their tags; a dry run enqueues nothing.
 */
import { parseConfig, type Config } from '../../lambda/config/schema';
import { DEFAULT_OWNERSHIP_TAG_KEY, ownershipMarker } from '../../lambda/domain/ownership';
import { organizationDependencies } from '../../lambda/organization-dependencies';
import type { OrganizationDependencies } from '../../lambda/organization-dependencies';
import { reconcileOrganization, type ReconcileItem } from '../../lambda/reconcile/stream';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_VERSIONS, integrationListUrl } from '../support/api-version';

const API_KEY = 'stream-api-key-00112233';
const APP_KEY = 'stream-app-key-44556677';
const ROLE = 'DatadogIntegrationRole';
const MANAGEMENT = '111111111111';
const STALE = '222222222222';
const FOREIGN = '333333333333';
const NOW = new Date('2026-03-04T12:00:00.000Z');
const OPT_OUT = { key: 'datadog-integration', value: 'opt-out' };

interface EnqueueCall {
  ids: string[];
  items: ReconcileItem[];
  /** Organizations calls served when enqueue was called. */
  organizationsCallsSoFar: number;
}

describe.each(API_VERSIONS)('reconcileOrganization: streaming to the queue during the walk, datadog.apiVersion %s', (apiVersion) => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  let restoreEnv: () => void;
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  /** New accounts (to create), at every depth. */
  let fresh: string[];
  /** Ours, matching the configuration. */
  let inSync: string[];
  let drifted: string;
  let closed: string;
  let calls: EnqueueCall[];

  beforeAll(async () => {
    await datadog.start();
  });

  afterAll(async () => {
    await datadog.stop();
  });

  beforeEach(async () => {
    // root: management, 2 new | A: 1 new, 1 in sync, 1 closed (ours) | A/B: 2 in sync | A/B/C: 1 new, 1 drifted
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
    const a = model.createOu('A');
    const b = model.createOu('B', a);
    const c = model.createOu('C', b);
    fresh = [
      model.createAccount({ name: 'new-root-1' }),
      model.createAccount({ name: 'new-root-2' }),
      model.createAccount({ name: 'new-a', parentId: a }),
      model.createAccount({ name: 'new-c', parentId: c }),
    ];
    inSync = [
      model.createAccount({ name: 'sync-a', parentId: a }),
      model.createAccount({ name: 'sync-b1', parentId: b }),
      model.createAccount({ name: 'sync-b2', parentId: b }),
    ];
    drifted = model.createAccount({ name: 'drifted', parentId: c });
    closed = model.createAccount({ name: 'closed', parentId: a });
    model.closeAccount(closed, { immediate: true });

    datadog.reset();
    // Ours carry our organization's marker.
    const marker = ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId });
    for (const id of inSync) datadog.seed({ account_id: id, role_name: ROLE, host_tags: [`aws_account_name:${model.listAccounts().find((x) => x.id === id)!.name}`, marker] });
    datadog.seed({ account_id: drifted, role_name: ROLE, host_tags: ['hand:made', marker] });
    datadog.seed({ account_id: closed, role_name: ROLE, host_tags: ['aws_account_name:closed', marker] });
    datadog.seed({ account_id: STALE, role_name: ROLE, host_tags: [marker] });
    datadog.seed({ account_id: FOREIGN, role_name: 'OtherTeamRole' });
    datadog.seed({ account_id: inSync[0]!, access_key_id: 'AKIAOTHERTEAM0000000' });

    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws);
    calls = [];
  });

  afterEach(async () => {
    await aws.stop();
    restoreEnv();
  });

  function configOf(raw: Record<string, unknown> = {}): Config {
    const { reconcile, datadog: datadogConfig, ...rest } = raw as { reconcile?: Record<string, unknown>; datadog?: Record<string, unknown> };
    // Deletions allowed (the guard has its own test) and Datadog-side work only, unless a test says otherwise.
    return parseConfig(
      { datadog: { apiUrl: datadog.url, apiVersion, ...datadogConfig }, reconcile: { maxDeletionsPercent: 100, inspectRoles: false, ...reconcile }, ...rest },
      'test config',
    );
  }

  function deps(config: Config): OrganizationDependencies {
    return { ...organizationDependencies(config, { ...process.env, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY }), now: () => NOW };
  }

  const enqueue = async (items: ReconcileItem[]) => {
    calls.push({ ids: items.map((i) => i.accountId), items, organizationsCallsSoFar: model.callsTo('organizations').length });
  };
  const organizationsCalls = () => model.callsTo('organizations').length;
  const allIds = () => calls.flatMap((c) => c.ids);

  it('creations and repairs go while Organizations is still being walked; deletions after; each account once', async () => {
    const run = await reconcileOrganization(configOf(), deps(configOf()), { enqueue, dryRun: false });
    const total = organizationsCalls();
    const deletions = [closed, STALE];

    // The first hand-over happened with Organizations calls still to come.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[0]!.organizationsCallsSoFar).toBeLessThan(total);
    // Every account that needs work, exactly once, and nothing else.
    expect(allIds()).toHaveLength(new Set(allIds()).size);
    expect(new Set(allIds())).toEqual(new Set([...fresh, drifted, ...deletions]));
    expect(run.enqueued).toEqual(allIds());
    expect(run.heldBack).toEqual([]);
    // Creations and repairs were all streamed during the walk; the deletions came last, alone, after it.
    const last = calls.at(-1)!;
    expect(new Set(last.ids)).toEqual(new Set(deletions));
    expect(last.organizationsCallsSoFar).toBe(total);
    for (const call of calls.slice(0, -1)) expect(call.ids.some((id) => deletions.includes(id))).toBe(false);
    // In walk order: the root's new accounts first, the deepest OU's last.
    expect(calls[0]!.ids.sort()).toEqual([fresh[0]!, fresh[1]!].sort());
    expect(calls.map((c) => c.organizationsCallsSoFar)).toEqual([...calls.map((c) => c.organizationsCallsSoFar)].sort((x, y) => x - y));
    // Never the management account, the in-sync ones, or another team's.
    for (const id of [MANAGEMENT, ...inSync, FOREIGN]) expect(allIds()).not.toContain(id);
    // Streamed accounts carry what the walk read; deletions are re-read by the worker.
    const streamed = calls.slice(0, -1).flatMap((c) => c.items);
    expect(streamed.find((i) => i.accountId === fresh[3])?.facts).toMatchObject({ state: 'ACTIVE', name: 'new-c', parentPath: expect.arrayContaining([model.rootId]) });
    expect(streamed.find((i) => i.accountId === fresh[3])?.facts?.parentPath).toHaveLength(4);
    expect(last.items.every((i) => i.facts === undefined)).toBe(true);

    expect(run.plan.summary).toEqual({ accounts: 12, inSync: 5, toCreate: 4, toRepair: 1, toDelete: 2 });
    // One walk, one listing, no per-account read, nothing written.
    expect(model.calls.filter((c) => ['DescribeAccount', 'ListParents', 'ListTagsForResource'].includes(c.operation))).toEqual([]);
    expect(model.calls.filter((c) => c.service !== 'organizations')).toEqual([]);
    expect(datadog.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${integrationListUrl(apiVersion)}`]);
  });

  it('the deletion guard trips: no deletion is ever enqueued (heldBack lists them), creations and repairs still go', async () => {
    // Defaults: 5 per run and 10% of the 10 walked accounts (1): 2 deletions are too many.
    const config = configOf({ reconcile: { maxDeletionsPercent: 10 } });
    const run = await reconcileOrganization(config, deps(config), { enqueue, dryRun: false });
    expect(run.plan.guard).toMatchObject({ tripped: true, deletions: 2, limit: 1 });
    expect(run.heldBack).toEqual([closed, STALE]);
    expect(allIds()).not.toContain(closed);
    expect(allIds()).not.toContain(STALE);
    expect(new Set(allIds())).toEqual(new Set([...fresh, drifted]));
    expect(run.enqueued).toEqual(allIds());
  });

  it('with an opt-out tag configured (tags needed): nothing is streamed, and tagged accounts are decided with their tags', async () => {
    model.tagAccount(fresh[0]!, { [OPT_OUT.key]: OPT_OUT.value });
    model.tagAccount(inSync[1]!, { [OPT_OUT.key]: OPT_OUT.value });
    const config = configOf({ scope: { optOutTag: OPT_OUT } });
    const run = await reconcileOrganization(config, deps(config), { enqueue, dryRun: false });

    // One hand-over, after every Organizations call (tags included).
    expect(calls).toHaveLength(1);
    expect(calls[0]!.organizationsCallsSoFar).toBe(organizationsCalls());
    expect(model.callsTo('organizations', 'ListTagsForResource')).toHaveLength(10);
    const tagReads = model.callsTo('organizations', 'ListTagsForResource').map((c) => c.seq);
    expect(Math.max(...tagReads)).toBeLessThanOrEqual(calls[0]!.organizationsCallsSoFar);

    // The opted-out new account is left alone; the opted-out integrated one is offboarded.
    expect(new Set(allIds())).toEqual(new Set([...fresh.slice(1), drifted, closed, STALE, inSync[1]!]));
    expect(run.plan.plans.find((p) => p.accountId === inSync[1])?.actions).toEqual([
      { type: 'delete-integration', reason: `it is opted out by its tag ${OPT_OUT.key}=${OPT_OUT.value}: offboarded (the account is in organization ${model.organizationId} and the role is ${ROLE})` },
    ]);
    expect(run.plan.plans.find((p) => p.accountId === fresh[0])).toMatchObject({ inScope: false, actions: [{ type: 'none' }] });
    expect(run.observed.tagsMissing).toEqual([]);
    // The facts say the tags were read.
    expect(calls[0]!.items.find((i) => i.accountId === drifted)?.facts).toMatchObject({ tagsRead: true });
  });

  it('tags needed but no time left to read them: every active account goes to the worker, which reads its own', async () => {
    const config = configOf({ scope: { optOutTag: OPT_OUT } });
    const run = await reconcileOrganization(config, deps(config), { enqueue, dryRun: false, tagsDeadline: NOW.getTime() - 1 });
    expect(model.callsTo('organizations', 'ListTagsForResource')).toHaveLength(0);
    // The management account is out of scope (scope.includeManagementAccount is off): not sent to the worker.
    const active = [...fresh, ...inSync, drifted];
    expect([...run.observed.tagsMissing].sort()).toEqual([...active].sort());
    expect(new Set(allIds())).toEqual(new Set([...active, closed, STALE]));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.items.find((i) => i.accountId === inSync[0])?.facts).toMatchObject({ tagsRead: false });
  });

  it('dry run: the same plan, nothing enqueued', async () => {
    const run = await reconcileOrganization(configOf(), deps(configOf()), { enqueue, dryRun: true });
    expect(calls).toEqual([]);
    expect(run.enqueued).toEqual([]);
    expect(run.plan.summary).toEqual({ accounts: 12, inSync: 5, toCreate: 4, toRepair: 1, toDelete: 2 });
    expect(datadog.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('reconcile.inspectRoles (the default): our in-sync accounts also go, to have their roles checked, during the walk', async () => {
    const config = configOf({ reconcile: { inspectRoles: true } });
    const run = await reconcileOrganization(config, deps(config), { enqueue, dryRun: false });
    expect(allIds()).toHaveLength(new Set(allIds()).size);
    expect(new Set(allIds())).toEqual(new Set([...fresh, drifted, ...inSync, closed, STALE]));
    for (const id of [MANAGEMENT, FOREIGN]) expect(allIds()).not.toContain(id);
    expect(calls[0]!.organizationsCallsSoFar).toBeLessThan(organizationsCalls());
    expect(run.plan.summary.inSync).toBe(5);
  });

  it('reconcile.inspectRoles: the accounts with Datadog work go in batches of their own, never mixed with role checks', async () => {
    const config = configOf({ reconcile: { inspectRoles: true } });
    await reconcileOrganization(config, deps(config), { enqueue, dryRun: false });
    const datadogWork = new Set([...fresh, drifted]);
    const withWork = calls.filter((call) => call.items.some((item) => datadogWork.has(item.accountId)));
    // Fewer than a batch of them: held until the walk is done, then handed over together, and alone.
    expect(withWork).toHaveLength(1);
    expect(new Set(withWork[0]!.items.map((item) => item.accountId))).toEqual(datadogWork);
    // The role checks went during the walk, without them.
    expect(calls[0]!.organizationsCallsSoFar).toBeLessThan(organizationsCalls());
    expect(calls[0]!.items.some((item) => inSync.includes(item.accountId))).toBe(true);
  });

  it('Organizations failing: the run rejects and nothing is enqueued', async () => {
    model.failNext({ service: 'organizations', operation: 'ListRoots', code: 'AccessDeniedException', message: 'not allowed here' });
    const config = configOf({ datadog: { maxAttempts: 1 } });
    await expect(reconcileOrganization(config, deps(config), { enqueue, dryRun: false })).rejects.toThrow('not allowed here');
    expect(calls).toEqual([]);
  });

  // Regression: a rejected enqueue was once left unhandled while the walk went on (fatal under plain Node).
  it('an enqueue that fails during the walk is listened to at once, not left unhandled while the walk goes on', async () => {
    let rejectedAt: number | undefined;
    let listenedAt: number | undefined;
    const failing = (): Promise<void> => {
      const promise = Promise.reject(new Error('the queue refused the batch'));
      // Keeps this test process quiet; what matters is when the code under test starts listening.
      promise.catch(() => undefined);
      rejectedAt ??= organizationsCalls();
      const then = promise.then.bind(promise);
      Object.defineProperty(promise, 'then', {
        value: (...args: Parameters<typeof then>) => {
          listenedAt ??= organizationsCalls();
          return then(...args);
        },
      });
      return promise;
    };
    const config = configOf();
    await expect(reconcileOrganization(config, deps(config), { enqueue: failing, dryRun: false })).rejects.toThrow('the queue refused the batch');
    // It failed during the walk...
    expect(rejectedAt).toBeLessThan(organizationsCalls());
    // ...and was listened to before any further Organizations call.
    expect(listenedAt).toBe(rejectedAt);
  });
});
