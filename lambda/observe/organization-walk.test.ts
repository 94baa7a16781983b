/**
 * walkOrganization with the real OrganizationsClient against the AWS stand-in: every account with
 * its OU path and state, Organizations' pagination, the exact number of calls (none per account
 * unless tags are needed), tags within a deadline, pages handed over as they arrive, and
 * throttling absorbed by the SDK's retries.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { OrgAccount } from './model';
import { mapLimit, walkOrganization } from './organization-walk';
import { accountState, organizationFacts } from './organizations';
import {
  FakeAwsOrganization,
  STANDIN_ACCESS_KEY_ID,
  STANDIN_SECRET_ACCESS_KEY,
  startAwsStandin,
  type AwsStandin,
  type FakeAwsOrganizationOptions,
} from '@datadog-aws-org-integration/standins/aws';

const MANAGEMENT = '111111111111';
const WALK_OPERATIONS = ['DescribeOrganization', 'ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent'];

/**
 * A depth-3 tree:
 *   root: management, r1, r2;            OUs A, B, C, D
 *   A: a1;                               OUs A1, A2
 *   A1: x1, x2;                          OU A1x
 *   A1x: y1..y7 (one SUSPENDED, one CLOSED, one PENDING_CLOSURE)
 *   B: nothing; C: c1..c4 (c4 PENDING_ACTIVATION); D: nothing; A2: nothing
 */
function buildTree(model: FakeAwsOrganization) {
  const A = model.createOu('A');
  const B = model.createOu('B');
  const C = model.createOu('C');
  const D = model.createOu('D');
  const A1 = model.createOu('A1', A);
  const A2 = model.createOu('A2', A);
  const A1x = model.createOu('A1x', A1);
  const root = model.rootId;
  const at = (parentId: string, names: string[]) => names.map((name) => model.createAccount({ name, parentId, tags: { name } }));
  const r = at(root, ['r1', 'r2']);
  const a = at(A, ['a1']);
  const x = at(A1, ['x1', 'x2']);
  const y = at(A1x, ['y1', 'y2', 'y3', 'y4', 'y5', 'y6', 'y7']);
  const c = [...at(C, ['c1', 'c2', 'c3']), model.createAccount({ name: 'c4', parentId: C, state: 'PENDING_ACTIVATION' })];
  model.suspendAccount(y[0]!);
  model.closeAccount(y[1]!, { immediate: true });
  model.closeAccount(y[2]!);
  const paths: Record<string, string[]> = { [MANAGEMENT]: [root] };
  for (const id of r) paths[id] = [root];
  for (const id of a) paths[id] = [root, A];
  for (const id of x) paths[id] = [root, A, A1];
  for (const id of y) paths[id] = [root, A, A1, A1x];
  for (const id of c) paths[id] = [root, C];
  return { ous: { A, B, C, D, A1, A2, A1x }, paths, y, c, all: Object.keys(paths) };
}

describe('walkOrganization against the AWS stand-in', () => {
  let model: FakeAwsOrganization;
  let aws: AwsStandin | undefined;

  afterEach(async () => {
    await aws?.stop();
    aws = undefined;
  });

  async function start(options: FakeAwsOrganizationOptions = {}) {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT, ...options });
    const tree = buildTree(model);
    aws = await startAwsStandin(model);
    return tree;
  }

  function client(maxAttempts = 1): OrganizationsClient {
    return new OrganizationsClient({
      region: 'us-east-1',
      endpoint: aws!.url,
      credentials: { accessKeyId: STANDIN_ACCESS_KEY_ID, secretAccessKey: STANDIN_SECRET_ACCESS_KEY },
      maxAttempts,
    });
  }

  const count = (operation: string) => model.callsTo('organizations', operation).length;

  it('finds every account with its OU path (root first), state, name and the management flag', async () => {
    const tree = await start();
    const snapshot = await walkOrganization(client(), { readTags: false });

    expect(snapshot.managementAccountId).toBe(MANAGEMENT);
    expect(snapshot.partition).toBe('aws');
    // The ownership marker names it: read from DescribeOrganization, once per walk.
    expect(snapshot.organizationId).toBe(model.organizationId);
    expect(snapshot.accounts.map((a) => a.accountId)).toEqual([...tree.all].sort());
    for (const account of snapshot.accounts) expect(account.parentPath).toEqual(tree.paths[account.accountId]);
    const byId = new Map(snapshot.accounts.map((a) => [a.accountId, a]));
    expect(byId.get(MANAGEMENT)).toMatchObject({ accountId: MANAGEMENT, state: 'ACTIVE', name: 'Management', parentPath: [model.rootId], tags: {}, isManagementAccount: true });
    expect(snapshot.accounts.filter((a) => a.isManagementAccount).map((a) => a.accountId)).toEqual([MANAGEMENT]);
    expect(tree.y.map((id) => byId.get(id)?.state)).toEqual(['SUSPENDED', 'CLOSED', 'PENDING_CLOSURE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
    expect(byId.get(tree.c[3]!)?.state).toBe('PENDING_ACTIVATION');
    expect(byId.get(tree.y[3]!)?.name).toBe('y4');
    // Tags were not read: none reported, even though every account has one.
    expect(snapshot.accounts.every((a) => Object.keys(a.tags).length === 0)).toBe(true);
    expect(snapshot.tagsRead.size).toBe(0);
  });

  it('exactly: 1 DescribeOrganization, 1 ListRoots, per parent 1 OU page and 1 account page; no per-account call', async () => {
    await start();
    await walkOrganization(client(), { readTags: false });
    // 8 parents: the root and 7 OUs, each fewer than 20 children.
    expect(count('DescribeOrganization')).toBe(1);
    expect(count('ListRoots')).toBe(1);
    expect(count('ListOrganizationalUnitsForParent')).toBe(8);
    expect(count('ListAccountsForParent')).toBe(8);
    expect(model.calls).toHaveLength(18);
    expect(new Set(model.calls.map((c) => c.operation))).toEqual(new Set(WALK_OPERATIONS));
    expect(count('ListTagsForResource')).toBe(0);
    expect(count('DescribeAccount')).toBe(0);
    expect(count('ListParents')).toBe(0);
    expect(model.calls.every((c) => c.error === undefined && c.service === 'organizations')).toBe(true);
    // Every parent asked once for its OUs and once for its accounts.
    const parents = (operation: string) => model.callsTo('organizations', operation).map((c) => c.params.ParentId).sort();
    expect(parents('ListOrganizationalUnitsForParent')).toEqual(parents('ListAccountsForParent'));
    expect(new Set(parents('ListAccountsForParent')).size).toBe(8);
  });

  it('follows NextToken with pageSize 3: the same accounts, one more page per 3 children', async () => {
    const tree = await start({ pageSize: 3 });
    const snapshot = await walkOrganization(client(), { readTags: false });
    expect(snapshot.accounts.map((a) => a.accountId)).toEqual([...tree.all].sort());
    for (const account of snapshot.accounts) expect(account.parentPath).toEqual(tree.paths[account.accountId]);
    // OUs: the root has 4 (2 pages), the 7 OUs one page each. Accounts: root 3 (1), A 1, B 0, C 4 (2), D 0, A1 2, A2 0, A1x 7 (3).
    expect(count('ListOrganizationalUnitsForParent')).toBe(9);
    expect(count('ListAccountsForParent')).toBe(11);
    expect(model.calls).toHaveLength(1 + 1 + 9 + 11);
    const pagesOf = (parentId: string) => model.callsTo('organizations', 'ListAccountsForParent').filter((c) => c.params.ParentId === parentId);
    expect(pagesOf(tree.ous.A1x).map((c) => c.params.NextToken === undefined)).toEqual([true, false, false]);
  });

  it('one ListAccountsForParent page per 20 accounts (Organizations\' default page size)', async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
    const big = model.createOu('Big');
    const ids = Array.from({ length: 41 }, (_, i) => model.createAccount({ name: `big-${i}`, parentId: big }));
    aws = await startAwsStandin(model);
    const snapshot = await walkOrganization(client(), { readTags: false });
    expect(snapshot.accounts).toHaveLength(42);
    expect(snapshot.accounts.filter((a) => a.parentPath.at(-1) === big).map((a) => a.accountId)).toEqual([...ids].sort());
    const pages = model.callsTo('organizations', 'ListAccountsForParent');
    // Root: 1 page (the management account); Big: 41 accounts in 3 pages.
    expect(pages.filter((c) => c.params.ParentId === big)).toHaveLength(3);
    expect(pages).toHaveLength(4);
    expect(model.calls).toHaveLength(1 + 1 + 2 + 4);
  });

  it('readTags: one ListTagsForResource per account, every account tagged and marked read', async () => {
    const tree = await start();
    model.tagAccount(tree.c[0]!, { team: 'payments', env: 'prod' });
    const snapshot = await walkOrganization(client(), { readTags: true });
    expect(count('ListTagsForResource')).toBe(tree.all.length);
    expect(model.callsTo('organizations', 'ListTagsForResource').map((c) => c.params.ResourceId).sort()).toEqual([...tree.all].sort());
    expect(snapshot.tagsRead).toEqual(new Set(tree.all));
    const byId = new Map(snapshot.accounts.map((a) => [a.accountId, a]));
    expect(byId.get(tree.c[0]!)?.tags).toEqual({ name: 'c1', team: 'payments', env: 'prod' });
    expect(byId.get(tree.y[1]!)?.tags).toEqual({ name: 'y2' });
    expect(byId.get(MANAGEMENT)?.tags).toEqual({});
    // The walk itself is unchanged: 18 calls, plus one per account.
    expect(model.calls).toHaveLength(18 + tree.all.length);
  });

  it('readTags follows the tags\' own pages (pageSize 3)', async () => {
    const tree = await start({ pageSize: 3 });
    model.tagAccount(tree.c[0]!, { t1: '1', t2: '2', t3: '3', t4: '4' });
    const snapshot = await walkOrganization(client(), { readTags: true });
    expect(snapshot.accounts.find((a) => a.accountId === tree.c[0])?.tags).toEqual({ name: 'c1', t1: '1', t2: '2', t3: '3', t4: '4' });
    expect(model.callsTo('organizations', 'ListTagsForResource').filter((c) => c.params.ResourceId === tree.c[0])).toHaveLength(2);
  });

  it('a tags deadline already past: no tags read, every account reported without them', async () => {
    await start();
    const snapshot = await walkOrganization(client(), { readTags: true, tagsDeadline: 1_000, now: () => 2_000 });
    expect(count('ListTagsForResource')).toBe(0);
    expect(snapshot.tagsRead.size).toBe(0);
    expect(snapshot.accounts.every((a) => Object.keys(a.tags).length === 0)).toBe(true);
    expect(model.calls).toHaveLength(18);
  });

  it('a deadline reached half way: tags stop there, the rest are reported unread', async () => {
    const tree = await start();
    let clock = 0;
    const snapshot = await walkOrganization(client(), { readTags: true, concurrency: 1, tagsDeadline: 3, now: () => clock++ });
    expect(count('ListTagsForResource')).toBe(3);
    expect(snapshot.tagsRead.size).toBe(3);
    for (const account of snapshot.accounts) {
      expect(Object.keys(account.tags).length > 0).toBe(snapshot.tagsRead.has(account.accountId) && account.accountId !== MANAGEMENT);
    }
    expect(snapshot.accounts).toHaveLength(tree.all.length);
  });

  it('onAccounts: every account exactly once, per page of Organizations, while the walk goes on, before tags', async () => {
    const tree = await start({ pageSize: 3 });
    const pages: { accounts: OrgAccount[]; callsSoFar: number }[] = [];
    const snapshot = await walkOrganization(client(), {
      readTags: true,
      onAccounts: (accounts) => pages.push({ accounts: structuredClone([...accounts]), callsSoFar: model.calls.length }),
    });
    const seen = pages.flatMap((p) => p.accounts.map((a) => a.accountId));
    expect(seen).toHaveLength(tree.all.length);
    expect(new Set(seen)).toEqual(new Set(tree.all));
    // One call per ListAccountsForParent page that holds accounts (pages of 3: the root 1, A 1, C 2, A1 1, A1x 3), each of one parent.
    expect(pages).toHaveLength(8);
    expect(pages.every((p) => p.accounts.length > 0)).toBe(true);
    for (const page of pages) expect(new Set(page.accounts.map((a) => a.parentPath.join('/'))).size).toBe(1);
    const ofY = pages.filter((p) => p.accounts.some((a) => tree.y.includes(a.accountId)));
    expect(ofY.map((p) => p.accounts.length)).toEqual([3, 3, 1]);
    // A parent's first page is handed over before its next is asked for.
    const pageCalls = model.callsTo('organizations', 'ListAccountsForParent').map((call) => call.seq);
    expect(ofY[0]!.callsSoFar).toBeLessThan(Math.max(...pageCalls));
    // Handed over before the walk ended, and before any tag was read.
    expect(pages[0]!.callsSoFar).toBeLessThan(model.calls.length);
    expect(pages.every((p) => p.accounts.every((a) => Object.keys(a.tags).length === 0))).toBe(true);
    const firstTagCall = model.callsTo('organizations', 'ListTagsForResource')[0]!.seq;
    expect(pages.every((p) => p.callsSoFar < firstTagCall)).toBe(true);
    // The same facts as the snapshot (bar the tags read afterwards).
    const fromPages = new Map(pages.flatMap((p) => p.accounts).map((a) => [a.accountId, a]));
    for (const account of snapshot.accounts) expect({ ...account, tags: {} }).toEqual(fromPages.get(account.accountId));
  });

  it('TooManyRequestsException is absorbed by the SDK\'s retries (maxAttempts 3)', async () => {
    const tree = await start();
    model.failNext({ service: 'organizations', operation: 'ListAccountsForParent', code: 'TooManyRequestsException' });
    model.failNext({ service: 'organizations', operation: 'ListOrganizationalUnitsForParent', code: 'TooManyRequestsException' });
    const snapshot = await walkOrganization(client(3), { readTags: false });
    expect(snapshot.accounts.map((a) => a.accountId)).toEqual([...tree.all].sort());
    expect(model.calls.filter((c) => c.error === 'TooManyRequestsException')).toHaveLength(2);
    expect(model.calls.filter((c) => c.error === undefined)).toHaveLength(18);
    expect(model.pendingFaults).toBe(0);
  }, 20_000);

  it('without retries (maxAttempts 1) the throttling error ends the walk', async () => {
    await start();
    model.failNext({ service: 'organizations', operation: 'ListAccountsForParent', code: 'TooManyRequestsException' });
    await expect(walkOrganization(client(1), { readTags: false })).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  });

  it('an error from Organizations is not swallowed (AccessDenied on ListRoots)', async () => {
    await start();
    model.failNext({ service: 'organizations', operation: 'ListRoots', code: 'AccessDeniedException', message: 'not allowed here' });
    await expect(walkOrganization(client(3), { readTags: false })).rejects.toThrow('not allowed here');
    expect(count('ListAccountsForParent')).toBe(0);
  });

  it('each account says when it joined (JoinedTimestamp): a new account is told from an old one', async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
    const old = model.createAccount({ name: 'old', joinedTimestamp: new Date('2020-01-01T00:00:00Z') });
    aws = await startAwsStandin(model);
    const snapshot = await walkOrganization(client(), { readTags: false });
    expect(snapshot.accounts.find((a) => a.accountId === old)?.joinedAt).toEqual(new Date('2020-01-01T00:00:00Z'));
  });

  it('the partition comes from the organization (aws-us-gov)', async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT, partition: 'aws-us-gov' });
    aws = await startAwsStandin(model);
    const snapshot = await walkOrganization(client(), { readTags: false });
    expect(snapshot.partition).toBe('aws-us-gov');
    expect(snapshot.accounts.map((a) => a.accountId)).toEqual([MANAGEMENT]);
  });

  it('an account that left the organization is not found by the walk', async () => {
    const tree = await start();
    model.removeAccount(tree.c[1]!);
    const snapshot = await walkOrganization(client(), { readTags: false });
    expect(snapshot.accounts.map((a) => a.accountId)).not.toContain(tree.c[1]);
    expect(snapshot.accounts).toHaveLength(tree.all.length - 1);
  });
});

describe('accountState', () => {
  it.each(['ACTIVE', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'SUSPENDED', 'CLOSED'])('%s is kept', (state) => {
    expect(accountState(state)).toBe(state);
  });

  it('absent: ACTIVE', () => {
    expect(accountState(undefined)).toBe('ACTIVE');
  });

  it('a state this product does not know is UNKNOWN, never ACTIVE', () => {
    expect(accountState('MIGRATING')).toBe('UNKNOWN');
  });
});

describe('mapLimit', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it('a limit above the number of items, and an empty list', async () => {
    expect(await mapLimit([1, 2], 10, async (n) => n + 1)).toEqual([2, 3]);
    expect(await mapLimit([], 4, async (n: number) => n)).toEqual([]);
  });

  it('a limit below 1 still runs one at a time', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([1, 2, 3], 0, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      return n;
    });
    expect(results).toEqual([1, 2, 3]);
    expect(peak).toBe(1);
  });

  it('a failing task rejects the whole run', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('task 2 failed');
        return n;
      }),
    ).rejects.toThrow('task 2 failed');
  });
});

describe("the organization's ID", () => {
  it.each<[string, Record<string, unknown> | undefined]>([
    ['no organization', undefined],
    ['no ID', { MasterAccountId: MANAGEMENT }],
    ['an ID of another shape', { Id: 'org-123', MasterAccountId: MANAGEMENT }],
  ])('DescribeOrganization answering %s: refused, naming the credentials to use', (_name, organization) => {
    expect(() => organizationFacts(organization)).toThrow(/without a valid organization ID.*management account/);
  });

  it('is taken with the management account and the partition', () => {
    expect(organizationFacts({ Id: 'o-abcdef1234', MasterAccountId: MANAGEMENT, MasterAccountArn: `arn:aws-us-gov:organizations::${MANAGEMENT}:account/o-abcdef1234/${MANAGEMENT}` })).toEqual({
      organizationId: 'o-abcdef1234',
      managementAccountId: MANAGEMENT,
      partition: 'aws-us-gov',
    });
  });
});
