/**
 * The fault matrix, end to end: EventBridge event -> intake -> SQS FIFO (local, manual clock)
 * -> worker -> Datadog + IAM, and the scheduled reconcile, all with the REAL handlers and
 * pipeline against the AWS and Datadog stand-ins. Each scenario injects faults and ends with
 * finalCheck(): every account converged, nothing of another team touched, no key in any log,
 * and the dead-letter queue holding only what it should.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { allowedActions, parsePolicyDocument } from '../../lambda/domain/policy';
import { DATADOG_STANDARD_PERMISSIONS } from '../../lambda/domain/datadog-permissions';
import { API_KEY, APP_KEY, E2EHarness, events, HOUR_MS, ROLE, type Expectations } from './harness';

interface Row {
  readonly scenario: string;
  readonly status: 'passed' | 'failed';
  readonly accounts: number;
  readonly converged: number;
  readonly wrongDeletions: number;
  readonly deadLetters: number;
  readonly invocations: number;
  readonly queueTime: string;
  readonly note: string;
}

type ApiVersion = 'v1' | 'v2';
const VERSIONS: readonly ApiVersion[] = ['v1', 'v2'];
/** The summary rows, per Datadog API version (each version runs the whole matrix). */
const rows: Record<ApiVersion, Row[]> = { v1: [], v2: [] };
let version: ApiVersion = 'v1';
let h: E2EHarness | undefined;
let invocations = 0;

/** Runs the final check, records the scenario's row, and fails the test on any problem. */
function finish(scenario: string, expectations: Expectations = {}, note = ''): void {
  const harness = h!;
  const { problems, accountsChecked, inScopeConverged } = harness.finalCheck(expectations);
  rows[version].push({
    scenario,
    status: problems.length ? 'failed' : 'passed',
    accounts: accountsChecked,
    converged: inScopeConverged,
    wrongDeletions: harness.wrongDeletions,
    deadLetters: harness.queue.deadLetters.length,
    invocations,
    queueTime: `${Math.round(harness.queue.now / 60_000)} min`,
    note,
  });
  expect(problems).toEqual([]);
}

async function start(options: Parameters<typeof E2EHarness.start>[0] = {}): Promise<E2EHarness> {
  invocations = 0;
  const config = { ...options.config, datadog: { ...options.config?.datadog, apiVersion: version } };
  h = await E2EHarness.start({ ...options, config });
  // Every scenario runs in a Datadog organization shared with another AWS organization: its
  // integrations use the default role name too, one with its own deployment's marker. None may go.
  h.seedOtherOrganization(FOREIGN_ACCOUNT);
  h.seedOtherOrganization(FOREIGN_MARKED_ACCOUNT, `datadog-aws-org-integration:${OTHER_ORGANIZATION_ID}`);
  return h;
}

/** Accounts of another AWS organization, integrated in the same Datadog organization. */
const FOREIGN_ACCOUNT = '999988887777';
const FOREIGN_MARKED_ACCOUNT = '999988886666';
const OTHER_ORGANIZATION_ID = 'o-theirorg987';

async function drain(options: Parameters<E2EHarness['runUntilIdle']>[0] = {}) {
  const stats = await h!.runUntilIdle(options);
  invocations += stats.invocations;
  return stats;
}

/** The integration requests themselves: v1's one path, v2's accounts (list and create share it), not the mint or the permission lists. */
const INTEGRATIONS = /^\/api\/v1\/integration\/aws$|^\/api\/v2\/integration\/aws\/accounts$/;
const mints = () => h!.datadog.requests.filter((r) => r.path === '/api/v2/integration/aws/generate_new_external_id');
const rotations = () => h!.datadog.requests.filter((r) => r.path === '/api/v1/integration/aws/generate_new_external_id');
/** v2's path of one integration (by config UUID). */
const V2_ONE_ACCOUNT = /^\/api\/v2\/integration\/aws\/accounts\/[^/]+$/;
/** v2 writes of one integration (PATCH by config UUID). */
const patches = () => h!.datadog.requests.filter((r) => r.method === 'PATCH' && V2_ONE_ACCOUNT.test(r.path));

/** Every action our role's inline policies allow. */
const roleActions = (accountId: string) => allowedActions(Object.values(h!.model.getRole(accountId, ROLE)?.inlinePolicies ?? {}).map((d) => parsePolicyDocument(d)));

/**
 * Onboards an account whose create is carried out after the client gave up (requestTimeoutMs
 * 2000), its retry answered later still; the list passes. Aimed at the integration requests:
 * under v2 the mint comes between the list and the create.
 */
async function onboardLosingTheCreateAnswer(accountId: string): Promise<void> {
  h!.datadog.inject(
    { kind: 'delay', ms: 0, only: INTEGRATIONS },
    { kind: 'delay', ms: 2600, only: INTEGRATIONS },
    { kind: 'delay', ms: 1200, only: INTEGRATIONS },
  );
  await h!.deliverEvent(events.createAccountResult(accountId));
  expect((await drain()).idle).toBe(true);
}

const logsWith = (message: string) => h!.logs().filter((line) => line.message === message);

interface TrustStatement {
  Principal?: unknown;
  Condition?: { StringEquals: Record<string, string | string[]> };
}

/** Edits the first statement of our role's trust policy, as someone in the console would. */
function editTrust(accountId: string, edit: (statement: TrustStatement) => void): void {
  const role = h!.model.getRole(accountId, ROLE)!;
  const trust = JSON.parse(role.assumeRolePolicyDocument) as { Statement: TrustStatement[] };
  edit(trust.Statement[0]!);
  h!.model.putRoleByHand(accountId, { ...role, assumeRolePolicyDocument: trust });
}

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function summary(of: readonly Row[]): string {
  const header = ['scenario', 'end state', 'accounts right', 'in scope converged', 'wrong deletions', 'DLQ', 'worker invocations', 'queue time', 'note'];
  const body = of.map((r) => [r.scenario, r.status, String(r.accounts), String(r.converged), String(r.wrongDeletions), String(r.deadLetters), String(r.invocations), r.queueTime, r.note]);
  const total = [
    `TOTAL (${of.length} scenarios, ${of.filter((r) => r.status === 'passed').length} passed)`,
    '',
    String(of.reduce((s, r) => s + r.accounts, 0)),
    String(of.reduce((s, r) => s + r.converged, 0)),
    String(of.reduce((s, r) => s + r.wrongDeletions, 0)),
    String(of.reduce((s, r) => s + r.deadLetters, 0)),
    String(of.reduce((s, r) => s + r.invocations, 0)),
    '',
    '',
  ];
  const table = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line), line(total)].join('\n');
}

afterAll(() => {
  for (const v of VERSIONS) {
    if (rows[v].length) process.stdout.write(`\nEnd-to-end fault matrix, Datadog API ${v}\n${summary(rows[v])}\n\n`);
  }
});

const RATE_LIMIT = { 'X-RateLimit-Limit': '100', 'X-RateLimit-Period': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Name': 'integration_aws' };

describe.each(VERSIONS)('end-to-end fault matrix, Datadog API %s', (v) => {
  beforeEach(() => {
    version = v;
  });

  it('the handlers read the Datadog keys from Secrets Manager, once per container, never from the environment', async () => {
    await start();
    const accounts = [1, 2].map((i) => h!.model.createAccount({ name: `keys-${i}` }));
    for (const id of accounts) await h!.deliverEvent(events.createAccountResult(id));
    expect((await drain()).idle).toBe(true);
    expect(accounts.every((id) => h!.ours(id).length === 1)).toBe(true);
    // Read once and cached by the worker, whatever the number of accounts.
    expect(h!.model.callsTo('secretsmanager', 'GetSecretValue')).toHaveLength(1);
    finish('keys from Secrets Manager');
  });

  it('Datadog 429 storms honour X-RateLimit-Reset; a reset beyond maxRetryWaitSeconds goes back to the queue', async () => {
    await start();
    const accounts = [1, 2, 3].map((i) => h!.model.createAccount({ name: `rate-${i}` }));
    // The integration requests (the permission lists are read alongside, and fall back on their own).
    const only = INTEGRATIONS;
    h!.datadog.inject(
      ...Array.from({ length: 7 }, () => ({ kind: 'status' as const, status: 429, headers: { ...RATE_LIMIT, 'X-RateLimit-Reset': '3' }, only })),
      { kind: 'status', status: 429, headers: { ...RATE_LIMIT, 'X-RateLimit-Reset': '600' }, only },
      ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 429, headers: { ...RATE_LIMIT, 'X-RateLimit-Reset': '1' }, only })),
    );
    for (const id of accounts) expect(await h!.deliverEvent(events.createAccountResult(id))).toEqual({ enqueued: 1 });
    const stats = await drain();
    expect(stats.idle).toBe(true);
    const rateLimited = h!.retryNotices.filter((n) => n.kind === 'rate-limited');
    // Account 1: five 429s (reset 3 s), out of attempts. Account 2: two, then a reset of 600 s (over 60 s): no wait.
    // Account 3: four 429s (reset 1 s), then through. Each wait is Datadog's reset (plus < 250 ms of jitter).
    expect(rateLimited.map((n) => Math.floor(n.delayMs / 1000))).toEqual([3, 3, 3, 3, 3, 3, 1, 1, 1, 1]);
    expect(rateLimited.every((n) => n.delayMs % 1000 < 250)).toBe(true);
    // Transient: retried later (AccountRetry), not failed (no AccountFailed alarm).
    const failures = logsWith('account to retry later').map((l) => String(l.error));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain('(after 5 attempts)');
    expect(failures[1]).toContain('resets in 600 s');
    expect(h!.metrics()).toMatchObject({ AccountRetry: 2, Onboarded: 3 });
    expect(h!.metrics().AccountFailed).toBeUndefined();
    // The two failed accounts came back after the worker's first backoff (30 s) and converged.
    expect(stats.recordsFailed).toBe(2);
    finish('429 storm + X-RateLimit-Reset');
  });

  it('Datadog 500 / 502 / 503 answers are retried until the accounts converge', async () => {
    await start();
    const accounts = [1, 2].map((i) => h!.model.createAccount({ name: `five-${i}` }));
    // The integrations themselves, v1 or v2 (not the permission lists).
    const only = INTEGRATIONS;
    h!.datadog.inject(
      ...([
        { kind: 'status', status: 500 },
        { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' },
        { kind: 'status', status: 503 },
        { kind: 'delay', ms: 0 },
        { kind: 'status', status: 503 },
        { kind: 'status', status: 500 },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 503 },
        { kind: 'status', status: 500 },
      ] as const).map((fault) => ({ ...fault, only })),
    );
    for (const id of accounts) await h!.deliverEvent(events.createAccountResult(id));
    expect((await drain()).idle).toBe(true);
    // The list of the first account meets three (retried), its create five: sent back to the queue.
    expect(h!.datadogRetries).toBe(7);
    expect(h!.metrics()).toMatchObject({ AccountRetry: 1, Onboarded: 2 });
    expect(h!.metrics().AccountFailed).toBeUndefined();
    finish('500 / 502 / 503');
  });

  it('a Datadog timeout (hang), a write that landed but whose answer was lost, and connection resets', async () => {
    await start({ config: { datadog: { requestTimeoutMs: 2000 } } });
    const first = h!.model.createAccount({ name: 'hang' });
    const second = h!.model.createAccount({ name: 'lost-answer' });
    // first: its list hangs past the timeout, then the connection resets twice.
    h!.datadog.inject({ kind: 'hang' }, { kind: 'reset' }, { kind: 'reset' });
    await h!.deliverEvent(events.createAccountResult(first));
    expect((await drain()).idle).toBe(true);
    // second: the list passes, the create is answered after the client gave up: Datadog did create it.
    // (Its retry is answered later still, so it meets the integration the first one created.)
    await onboardLosingTheCreateAnswer(second);
    expect(h!.ours(second)).toHaveLength(1);
    if (v === 'v1') {
      // The retried create met 409 (it exists): adopted with a fresh external ID and our settings.
      expect(rotations()).toHaveLength(1);
      expect(mints()).toHaveLength(0);
    } else {
      // v2 mints one ID per new account before its role; the retried create is refused (400: that ID is used now),
      // so the worker lists the account, finds the integration with the ID the role trusts, and is done: nothing rotated.
      expect(mints()).toHaveLength(2);
      expect(rotations()).toHaveLength(0);
      expect(patches()).toHaveLength(0);
    }
    // hang, reset, reset, then the lost answer: at least four retries.
    expect(h!.datadogRetries).toBeGreaterThanOrEqual(4);
    expect(h!.metrics()).toMatchObject({ Onboarded: 2 });
    expect(h!.metrics().AccountFailed).toBeUndefined();
    finish('timeout + lost answer + resets');
  });

  if (v === 'v2') {
    // Regression: the retried create (same minted ID, now used) got 400 and the account was reported failed though Datadog had created it.
    it('v2: a create whose answer was lost (Datadog created it, the client timed out) is done, not an error', async () => {
      await start({ config: { datadog: { requestTimeoutMs: 2000 } } });
      const id = h!.model.createAccount({ name: 'lost-create' });
      await onboardLosingTheCreateAnswer(id);
      expect(h!.ours(id)).toHaveLength(1);
      expect(h!.model.getRole(id, ROLE)).toBeDefined();
      // Converged in one pass: Datadog holds the integration with the minted ID the role trusts.
      expect(logsWith('account failed').map((l) => String(l.error))).toEqual([]);
      expect(h!.metrics()).toMatchObject({ Onboarded: 1 });
      expect(h!.metrics().AccountFailed).toBeUndefined();
    });
  }

  // Regression: v1 answers 400 to deleting what is gone; only a 404 once counted as done (a spurious AccountFailed).
  it('a delete whose answer was lost (Datadog deleted it, the client timed out) is done, not an error', async () => {
    await start({ config: { datadog: { requestTimeoutMs: 2000 } } });
    const id = h!.model.createAccount({ name: 'closing' });
    await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    h!.model.closeAccount(id, { immediate: true });
    // The list passes; the DELETE is carried out after the client gave up; the client retries it.
    // (The retry is answered later still, so it meets the integration already deleted.)
    h!.datadog.inject({ kind: 'delay', ms: 0 }, { kind: 'delay', ms: 2600 }, { kind: 'delay', ms: 1200 });
    await h!.deliverEvent(events.closeAccountResult(id));
    expect((await drain()).idle).toBe(true);
    expect(h!.ours(id)).toHaveLength(0);
    // The end state converges (after one needless trip through the queue)...
    finish('delete answer lost (timeout)');
    // ...but the account was reported failed although its integration was gone.
    expect(logsWith('account failed').map((l) => String(l.error))).toEqual([]);
  });

  it('409 conflicts on an update are retried', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'conflicted' });
    await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    // Someone edits the integration by hand: the next run updates it back, meeting two conflicts.
    const [current] = h!.ours(id);
    h!.datadog.seed({ ...current!, host_tags: ['hand:made'], metrics_collection_enabled: false });
    const conflict = { kind: 'status' as const, status: 409, body: { errors: ['Conflicting updates, please retry'] } };
    // v1: the list passes, the PUT meets the conflicts. v2's update first reads the config UUID
    // (GET accounts), so the conflicts are aimed at its PATCH of /accounts/<uuid>.
    if (v === 'v1') h!.datadog.inject({ kind: 'delay', ms: 0 }, conflict, conflict);
    else h!.datadog.inject({ ...conflict, only: V2_ONE_ACCOUNT }, { ...conflict, only: V2_ONE_ACCOUNT });
    await h!.deliverEvent(events.createAccountResult(id));
    expect((await drain()).idle).toBe(true);
    expect(h!.ours(id)[0]).toMatchObject({ host_tags: ['aws_account_name:conflicted', h!.marker], metrics_collection_enabled: true, external_id: current!.external_id });
    // v1 updates with PUT (selector in the query), v2 with PATCH of the config UUID: two conflicts, then through.
    const updates = v === 'v1' ? h!.datadog.requests.filter((r) => r.method === 'PUT' && r.path === '/api/v1/integration/aws') : patches();
    expect(updates).toHaveLength(3);
    finish('409 conflicts on update');
  });

  it('Organizations throttling (TooManyRequestsException) on the worker and the reconcile walk', async () => {
    await start();
    const accounts = [1, 2, 3].map((i) => h!.model.createAccount({ name: `org-throttle-${i}` }));
    h!.model.failNext({ service: 'organizations', operation: 'DescribeOrganization', code: 'TooManyRequestsException' });
    h!.model.failNext({ service: 'organizations', operation: 'DescribeAccount', code: 'TooManyRequestsException', times: 2 });
    h!.model.failNext({ service: 'organizations', operation: 'ListParents', code: 'TooManyRequestsException' });
    await h!.deliverEvent(events.createAccountResult(accounts[0]!));
    expect((await drain()).idle).toBe(true);
    h!.model.failNext({ service: 'organizations', operation: 'ListAccountsForParent', code: 'TooManyRequestsException' });
    const summary = await h!.reconcile();
    expect(summary.toCreate).toBe(2);
    expect((await drain()).idle).toBe(true);
    expect(h!.model.pendingFaults).toBe(0);
    expect(h!.model.calls.filter((c) => c.error === 'TooManyRequestsException').length).toBe(5);
    finish('Organizations throttling');
  });

  it('IAM throttling (Throttling) while reading and writing the role', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'iam-throttle' });
    h!.model.failNext({ service: 'iam', operation: 'GetRole', code: 'Throttling' });
    h!.model.failNext({ service: 'iam', operation: 'CreateRole', code: 'Throttling', times: 2 });
    h!.model.failNext({ service: 'iam', operation: 'PutRolePolicy', code: 'Throttling' });
    await h!.deliverEvent(events.createAccountResult(id));
    expect((await drain()).idle).toBe(true);
    expect(h!.model.pendingFaults).toBe(0);
    finish('IAM throttling');
  });

  it('a new account whose AssumeRole is denied at first is retried through the queue with backoff, then converges', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'fresh', assumableAfterAttempts: 3 });
    await h!.deliverEvent(events.createAccountResult(id));
    const stats = await drain();
    expect(stats.idle).toBe(true);
    expect(stats.invocations).toBe(4);
    // 30 s, 60 s, 120 s: the worker's backoff, through ChangeMessageVisibility.
    expect(stats.queueTimeMs).toBe(210_000);
    expect(h!.metrics()).toMatchObject({ AccountRetry: 3, Onboarded: 1 });
    // Nothing was written to Datadog while the account could not be reached; then v1 creates
    // (one POST), v2 mints the ID its role trusts, then creates (two POSTs).
    expect(h!.datadog.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(
      v === 'v1' ? ['/api/v1/integration/aws'] : ['/api/v2/integration/aws/generate_new_external_id', '/api/v2/integration/aws/accounts'],
    );
    finish('AssumeRole denied at first (new account)');
  });

  it('the same CreateAccountResult delivered three times: one integration, one role', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'thrice' });
    const event = events.createAccountResult(id);
    await h!.deliverEvent(event);
    await h!.deliverEvent(structuredClone(event));
    expect(h!.queue.depth).toBe(1);
    await drain();
    // Redelivered after SQS's deduplication window: processed again, and changes nothing.
    h!.advance(10 * 60 * 1000);
    await h!.deliverEvent(structuredClone(event));
    expect(h!.queue.depth).toBe(1);
    await drain();
    expect(h!.ours(id)).toHaveLength(1);
    expect(h!.model.listRoles(id).filter((r) => r.roleName === ROLE)).toHaveLength(1);
    expect(h!.model.iamWrites(id).filter((c) => c.operation === 'CreateRole')).toHaveLength(1);
    // One onboarding: v1's create, or v2's mint + create.
    expect(h!.datadog.requests.filter((r) => r.method === 'POST')).toHaveLength(v === 'v1' ? 1 : 2);
    finish('same event delivered 3 times');
  });

  // Regression: the reconciler's listing was once trusted after another message had created the integration (a needless rotation).
  it('an event and a reconcile racing for a new account: one create, no needless external ID rotation', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'race' });
    await h!.deliverEvent(events.createAccountResult(id));
    // The scheduled reconcile runs before the worker picked the event up: it enqueues the account with its facts.
    await h!.reconcile();
    expect(h!.queue.depth).toBe(2);
    expect((await drain()).idle).toBe(true);
    finish('event + reconcile race (stale facts)');
    expect(rotations()).toHaveLength(0);
    // v2's one mint is the create's own (the role trusts it before the integration exists); no PATCH rotates it.
    expect(mints()).toHaveLength(v === 'v1' ? 0 : 1);
    expect(patches()).toHaveLength(0);
  });

  it('a close processed before the create: the account is closed, nothing of ours is created', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'short-lived' });
    h!.model.closeAccount(id, { immediate: true });
    await h!.deliverEvent(events.closeAccountResult(id));
    await h!.deliverEvent(events.createAccountResult(id));
    expect((await drain()).idle).toBe(true);
    expect(h!.ours(id)).toHaveLength(0);
    expect(h!.model.iamWrites(id)).toHaveLength(0);
    expect(h!.datadog.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    finish('close before create');
  });

  it('create / close / reopen storms for one account: the end state follows the account', async () => {
    await start();
    const endsActive = h!.model.createAccount({ name: 'storm-active' });
    const endsClosed = h!.model.createAccount({ name: 'storm-closed' });
    for (let round = 0; round < 3; round++) {
      for (const id of [endsActive, endsClosed]) {
        h!.model.setAccountState(id, 'ACTIVE');
        await h!.deliverEvent(events.createAccountResult(id));
      }
      await drain({ maxSteps: 1 });
      for (const id of [endsActive, endsClosed]) {
        h!.model.closeAccount(id, { immediate: true });
        await h!.deliverEvent(events.closeAccountResult(id));
        await h!.deliverEvent(events.closeAccount(id));
      }
      if (round === 1) await drain();
    }
    h!.model.setAccountState(endsActive, 'ACTIVE');
    await h!.deliverEvent(events.createAccountResult(endsActive));
    expect((await drain()).idle).toBe(true);
    expect(h!.ours(endsActive)).toHaveLength(1);
    expect(h!.ours(endsClosed)).toHaveLength(0);
    finish('create/close/reopen storm');
  });

  it('a crash between "integration created" and "role created" is repaired on retry, trusting the CURRENT external ID', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'half-way' });
    // Every attempt the SDK makes fails: the worker fails half way.
    h!.model.failNext({ service: 'iam', operation: 'CreateRole', code: 'ServiceFailure', times: 6 });
    await h!.deliverEvent(events.createAccountResult(id));
    await drain({ maxSteps: 1 });
    const [halfWay] = h!.ours(id);
    expect(h!.model.getRole(id, ROLE)).toBeUndefined();
    expect(h!.metrics().AccountRetry).toBe(1);
    if (v === 'v1') {
      expect(halfWay?.external_id).toBeDefined();
      expect((await drain()).idle).toBe(true);
      // v1 cannot read the first external ID back: the retry rotates it and writes the new one.
      expect(h!.ours(id)[0]?.external_id).not.toBe(halfWay?.external_id);
    } else {
      // v2 makes the role first: its failure leaves nothing in Datadog but an unused minted ID.
      expect(halfWay).toBeUndefined();
      expect((await drain()).idle).toBe(true);
      expect(h!.model.iamWrites(id).filter((c) => c.operation === 'CreateRole' && !c.error)).toHaveLength(1);
    }
    finish('crash between integration and role', {}, v === 'v2' ? 'v2: role first, fails before Datadog' : '');
  });

  if (v === 'v2') {
    it('v2: a crash between "role created" and "integration created" is repaired on retry: Datadog and the role agree on the external ID', async () => {
      await start();
      const id = h!.model.createAccount({ name: 'half-way-v2' });
      // The list passes; the create meets 500 on every attempt (maxAttempts 5).
      h!.datadog.inject({ kind: 'delay', ms: 0, only: INTEGRATIONS }, ...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500, only: INTEGRATIONS })));
      await h!.deliverEvent(events.createAccountResult(id));
      await drain({ maxSteps: 1 });
      expect(h!.ours(id)).toHaveLength(0);
      const role = h!.model.getRole(id, ROLE);
      expect(role).toBeDefined();
      expect(h!.metrics().AccountRetry).toBe(1);
      expect((await drain()).idle).toBe(true);
      expect(h!.ours(id)).toHaveLength(1);
      finish('v2: crash between role and integration');
    });
  }

  it('the reconciler repairs role drift (deleted, principal changed, external ID condition removed or doubled) through a flaky listing', async () => {
    await start();
    const accounts = [1, 2, 3, 4, 5].map((i) => h!.model.createAccount({ name: `drift-${i}` }));
    await h!.reconcile();
    await drain();
    const [deleted, principal, noCondition, twoIds] = accounts;
    h!.model.deleteRoleByHand(deleted!, ROLE);
    editTrust(principal!, (statement) => (statement.Principal = { AWS: 'arn:aws:iam::999988887777:root' }));
    editTrust(noCondition!, (statement) => delete statement.Condition);
    editTrust(twoIds!, (statement) => {
      const equals = statement.Condition!.StringEquals;
      equals['sts:ExternalId'] = [equals['sts:ExternalId'] as string, 'another-id'];
    });
    h!.datadog.inject({ kind: 'status', status: 503 }, { kind: 'reset' });
    const summary = await h!.reconcile();
    expect(summary.deletionGuardTripped).toBe(false);
    expect((await drain()).idle).toBe(true);
    expect(h!.metrics().DriftRepaired).toBe(4);
    finish('reconcile repairs role drift');
  });

  // Known v1 limitation (not a coding bug): v1 never returns the external ID, so a role whose single
  // ExternalId was edited by hand looks right and stays unassumable until something else triggers a rotation.
  // v2 lists the external ID: the plan sees the trust drift (update-role-trust) and repairs it.
  (v === 'v1' ? it.failing : it)('the reconciler repairs a role whose external ID was edited by hand', async () => {
    await start();
    const id = h!.model.createAccount({ name: 'edited-id' });
    await h!.reconcile();
    await drain();
    editTrust(id, (statement) => (statement.Condition!.StringEquals['sts:ExternalId'] = 'edited-by-hand'));
    await h!.reconcile();
    await drain();
    finish('external ID edited by hand', {}, v === 'v1' ? 'v1 limitation (it.failing)' : '');
    // v2 rewrites the trust with Datadog's ID: no rotation, no mint beyond the create's.
    if (v === 'v2') expect(mints()).toHaveLength(1);
  });

  it('a reconcile whose Organizations walk is denied fails (nothing enqueued); the next run converges', async () => {
    await start();
    const accounts = [1, 2].map((i) => h!.model.createAccount({ name: `late-${i}` }));
    h!.model.failNext({ service: 'organizations', operation: 'ListAccountsForParent', code: 'AccessDeniedException' });
    await expect(h!.reconcile()).rejects.toThrow('AccessDenied');
    await h!.settle();
    expect(h!.queue.sentCount).toBe(0);
    h!.advance(12 * HOUR_MS);
    await h!.reconcile();
    expect((await drain()).idle).toBe(true);
    expect(accounts.every((id) => h!.ours(id).length === 1)).toBe(true);
    finish('reconcile walk denied, next run');
  });

  // Regression: a failed Datadog listing once left the walk's page-delivery chain rejected and unhandled (checked in a child process).
  it('a reconcile whose Datadog listing is rate limited beyond maxRetryWaitSeconds rejects cleanly (no unhandled rejection)', async () => {
    const probe = join(__dirname, 'reconcile-rejection-probe.ts');
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const { stdout } = await promisify(execFile)(tsx, [probe, v], { cwd: join(__dirname, '..', '..'), timeout: 20_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('{"outcome"'));
    const result = JSON.parse(line ?? '{}') as { outcome?: string; unhandled?: string[]; enqueued?: number };
    rows[version].push({ scenario: 'reconcile listing 429 (child process)', status: result.unhandled?.length ? 'failed' : 'passed', accounts: 0, converged: 0, wrongDeletions: 0, deadLetters: 0, invocations: 0, queueTime: '-', note: `${result.unhandled?.length ?? '?'} unhandled rejection(s)` });
    expect(result.outcome).toContain('rejected: DatadogApiError');
    expect(result.enqueued).toBe(0);
    expect(result.unhandled).toEqual([]);
  });

  it('a malformed event is logged and counted, and nothing is enqueued', async () => {
    await start();
    for (const event of [events.fixture('malformed-create-account-result-short-id.json'), 'not an event', null, events.fixture('malformed-no-detail.json')]) {
      expect(await h!.deliverEvent(event)).toEqual({ enqueued: 0 });
    }
    expect(h!.queue.sentCount).toBe(0);
    expect(h!.metrics().EventsMalformed).toBeGreaterThanOrEqual(3);
    expect(logsWith('event not enqueued').length).toBe(4);
    expect(h!.model.calls).toHaveLength(0);
    finish('malformed event');
  });

  it('an event for an account outside the organization creates nothing of ours; one that left is offboarded', async () => {
    await start();
    const outsider = '123456789012';
    const leaver = h!.model.createAccount({ name: 'leaver' });
    await h!.deliverEvent(events.createAccountResult(leaver));
    await drain();
    expect(h!.ours(leaver)).toHaveLength(1);
    h!.model.removeAccount(leaver);
    await h!.deliverEvent(events.createAccountResult(outsider));
    await h!.deliverEvent(events.removeAccount(leaver));
    expect((await drain()).idle).toBe(true);
    expect(h!.ours(outsider)).toHaveLength(0);
    expect(h!.model.iamWrites(outsider)).toHaveLength(0);
    expect(h!.model.callsTo('sts', 'AssumeRole').filter((c) => c.accountId === outsider)).toHaveLength(0);
    expect(h!.ours(leaver)).toHaveLength(0);
    finish('account outside the organization', { alsoCheck: [outsider] });
  });

  it('a Datadog organization shared with another AWS organization: theirs stay through the reconcile and every event; ours are integrated, adopted or offboarded; an excluded one is kept', async () => {
    const EXCLUDED = '555566667777';
    // A generous guard: nothing but the ownership rule stands between their integrations and a deletion.
    await start({ config: { scope: { excludeAccounts: [EXCLUDED] }, reconcile: { maxDeletionsPerRun: 100, maxDeletionsPercent: 100 } } });
    const theirMarker = `datadog-aws-org-integration:${OTHER_ORGANIZATION_ID}`;
    // Ours: a new account; one integrated by hand earlier (Datadog's template, no marker); one that came from the
    // other organization with its marker; an excluded one integrated by hand; one that will leave.
    const fresh = h!.model.createAccount({ name: 'fresh' });
    const byHand = h!.model.createAccount({ name: 'by-hand' });
    const movedIn = h!.model.createAccount({ name: 'moved-in' });
    h!.model.createAccount({ name: 'excluded', id: EXCLUDED });
    const leaver = h!.model.createAccount({ name: 'leaver' });
    h!.datadog.seed({ account_id: byHand, role_name: ROLE, host_tags: ['team:by-hand'] });
    h!.datadog.seed({ account_id: movedIn, role_name: ROLE, host_tags: [theirMarker] });
    h!.seedOtherTeam({ account_id: EXCLUDED, role_name: ROLE, host_tags: ['team:excluded'] });
    // More of theirs, also for the accounts the events below name.
    const outsiders = ['123456789012', '210987654321'];
    h!.seedOtherOrganization(outsiders[0]!);
    h!.seedOtherOrganization(outsiders[1]!, theirMarker);

    await h!.reconcile();
    expect((await drain()).idle).toBe(true);
    for (const id of [fresh, byHand, movedIn, leaver]) expect(h!.ours(id)[0]?.host_tags).toContain(h!.marker);
    // Adopted: the other organization's marker gave way to ours (the account is in our organization now).
    expect(h!.ours(movedIn)[0]?.host_tags).not.toContain(theirMarker);
    expect(h!.metrics().Adopted).toBe(2);

    // Every event, for their accounts and ours.
    h!.model.removeAccount(leaver);
    for (const id of [...outsiders, FOREIGN_ACCOUNT, FOREIGN_MARKED_ACCOUNT, EXCLUDED]) {
      for (const event of [events.createAccountResult(id), events.closeAccountResult(id), events.closeAccount(id), events.removeAccount(id)]) await h!.deliverEvent(event);
    }
    await h!.deliverEvent(events.removeAccount(leaver));
    expect((await drain()).idle).toBe(true);
    // The account that left carried our marker: offboarded.
    expect(h!.ours(leaver)).toHaveLength(0);
    await h!.reconcile();
    expect((await drain()).idle).toBe(true);
    const deleted = h!.deletions.map((d) => d.accountId);
    expect(deleted).toEqual([leaver]);
    finish('shared Datadog organization', { alsoCheck: outsiders });
  });

  it('a poison message ends in the DLQ after maxReceiveCount receives without blocking other accounts', async () => {
    await start();
    const accounts = [1, 2, 3].map((i) => h!.model.createAccount({ name: `neighbour-${i}` }));
    h!.queue.sendMessage(JSON.stringify({ accountId: '12345', reason: 'by hand' }), '12345');
    for (const id of accounts) await h!.deliverEvent(events.createAccountResult(id));
    // The first pass, before any clock moves: the neighbours converge next to the poison.
    await drain({ maxQueueTimeMs: 0 });
    for (const id of accounts) expect(h!.ours(id)).toHaveLength(1);
    expect(h!.queue.depth).toBe(1);
    // An hour later, a new account is onboarded at once while the poison is still retried.
    h!.advance(HOUR_MS);
    const late = h!.model.createAccount({ name: 'late' });
    await h!.deliverEvent(events.createAccountResult(late));
    await drain({ maxQueueTimeMs: 0 });
    expect(h!.ours(late)).toHaveLength(1);
    expect(h!.queue.depth).toBe(1);
    expect((await drain({ maxQueueTimeMs: 24 * HOUR_MS })).idle).toBe(true);
    expect(h!.queue.deadLetters.map((m) => [m.groupId, m.receiveCount])).toEqual([['12345', 15]]);
    expect(logsWith('malformed queue message')).toHaveLength(15);
    finish('poison message -> DLQ', { deadLetters: 1 });
  });

  it('wrong Datadog keys: nothing deleted, an error naming the keys to check, AccountFailed; fixed keys then converge', async () => {
    await start({ apiKey: 'wrong-api-key-5566778899', appKey: 'wrong-app-key-aabbccddeeff' });
    const closed = h!.model.createAccount({ name: 'closed-ours' });
    const fresh = h!.model.createAccount({ name: 'fresh' });
    h!.datadog.seed({ account_id: closed, role_name: ROLE, external_id: 'e'.repeat(32) });
    h!.seedOtherTeam({ account_id: fresh, role_name: 'OtherTeamRole', host_tags: ['team:other'] });
    h!.seedOtherTeam({ account_id: fresh, access_key_id: 'AKIAOTHERTEAM0000000' });
    h!.model.closeAccount(closed, { immediate: true });
    await h!.deliverEvent(events.closeAccountResult(closed));
    await h!.deliverEvent(events.createAccountResult(fresh));
    const stats = await drain({ maxQueueTimeMs: 30 * 60 * 1000 });
    expect(stats.idle).toBe(false);
    expect(h!.datadog.requests.every((r) => !r.authorized)).toBe(true);
    expect(h!.ours(closed)).toHaveLength(1);
    const failures = logsWith('account failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(String(failures[0]?.error)).toContain('403');
    expect(String(failures[0]?.error)).toContain('Check the apiKey and appKey of Secrets Manager secret "datadog-aws-org-integration/datadog-keys"');
    expect(h!.metrics().AccountFailed).toBe(failures.length);
    // The operator fixes the keys (a redeploy): the messages still queued converge.
    h!.build(API_KEY, APP_KEY);
    expect((await drain()).idle).toBe(true);
    expect(h!.ours(closed)).toHaveLength(0);
    finish('wrong API keys (403)');
  });

  it('a misread organization (6 integrated accounts missing from the listing): the deletion guard holds', async () => {
    await start();
    const accounts = Array.from({ length: 10 }, (_, i) => h!.model.createAccount({ name: `member-${i}` }));
    const first = await h!.reconcile();
    expect(first).toMatchObject({ toCreate: 10, deletionGuardTripped: false });
    expect((await drain()).idle).toBe(true);
    expect(accounts.every((id) => h!.ours(id).length === 1)).toBe(true);

    const missing = accounts.slice(0, 6);
    for (const id of missing) {
      h!.model.removeAccount(id);
      h!.protectedAccounts.add(id);
    }
    const sentBefore = h!.queue.sentCount;
    const summary = await h!.reconcile();
    expect(summary).toMatchObject({ toDelete: 6, deletionGuardTripped: true });
    expect(h!.metrics().DeletionGuardTripped).toBe(1);
    expect(logsWith('deletion guard tripped: no deletion enqueued')).toHaveLength(1);
    const enqueued = h!.queue.pending().map((m) => m.groupId);
    expect(enqueued.filter((id) => missing.includes(id))).toEqual([]);
    expect(h!.queue.sentCount - sentBefore).toBe(enqueued.length);
    expect((await drain()).idle).toBe(true);
    expect(h!.datadog.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);

    // The listing is right again: nothing was lost.
    for (const id of missing) h!.model.accountRecord(id)!.inOrganization = true;
    expect((await h!.reconcile()).deletionGuardTripped).toBe(false);
    expect((await drain()).idle).toBe(true);
    finish('misread organization -> deletion guard');
  });
  if (v === 'v2') {
    it("v2: Datadog's permission lists cannot be read: onboarding completes with the pinned list and removes nothing; once they answer, a converge adds Datadog's list", async () => {
      await start();
      // Datadog's current standard list has an action the pinned list lacks.
      const extra = 'newservice:DescribeEverything';
      const datadogList = [...new Set([...h!.datadog.store.iamPermissions.standard, extra])].sort();
      h!.datadog.store.iamPermissions.standard = datadogList;
      const pinned = [...new Set(DATADOG_STANDARD_PERMISSIONS)].sort();
      const existing = h!.model.createAccount({ name: 'perm-existing' });
      await h!.deliverEvent(events.createAccountResult(existing));
      expect((await drain()).idle).toBe(true);
      expect(roleActions(existing)).toEqual(datadogList);
      const before = structuredClone(h!.model.getRole(existing, ROLE)!.inlinePolicies);

      // A new process (a redeploy: a fresh permission cache) meets both lists failing, 5 attempts each.
      h!.build(API_KEY, APP_KEY);
      const lists = () => h!.datadog.requests.filter((r) => r.path.includes('/iam_permissions/')).length;
      const listsBefore = lists();
      h!.datadog.inject(...Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 500, only: /\/iam_permissions\// })));
      const fresh = h!.model.createAccount({ name: 'perm-fresh' });
      await h!.deliverEvent(events.createAccountResult(fresh));
      await h!.deliverEvent(events.createAccountResult(existing));
      expect((await drain()).idle).toBe(true);
      // One read per process (the fallback is cached): 2 lists x 5 attempts, all failed.
      expect(lists() - listsBefore).toBe(10);
      expect(h!.ours(fresh)).toHaveLength(1);
      expect(h!.metrics()).toMatchObject({ Onboarded: 2 });
      expect(h!.metrics().AccountFailed).toBeUndefined();
      expect(roleActions(fresh)).toEqual(pinned);
      // The existing role keeps what Datadog's list gave it: nothing removed on the word of the pinned list.
      expect(h!.model.getRole(existing, ROLE)!.inlinePolicies).toEqual(before);

      // The lists answer again; a new process reads them and the next converge adds Datadog's list.
      h!.build(API_KEY, APP_KEY);
      await h!.deliverEvent(events.createAccountResult(fresh));
      expect((await drain()).idle).toBe(true);
      expect(lists() - listsBefore).toBe(12);
      expect(roleActions(fresh)).toEqual(datadogList);
      expect(h!.model.getRole(existing, ROLE)!.inlinePolicies).toEqual(before);
      finish('v2: permission lists down, then back');
    });
  }
});
