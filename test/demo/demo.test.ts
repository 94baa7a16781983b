/** `npm run demo` as a user runs it: it must finish, tell the whole story, and show no key. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/config/schema';

const root = join(__dirname, '..', '..');

function demo(...args: string[]) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'demo.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return { ...run, wallSeconds: (Date.now() - started) / 1000 };
}

const runs = new Map<string, ReturnType<typeof demo>>();
/** One run per API version, shared by the tests that read its story. */
function demoOn(apiVersion: 'v1' | 'v2'): ReturnType<typeof demo> {
  if (!runs.has(apiVersion)) runs.set(apiVersion, demo('--api-version', apiVersion));
  return runs.get(apiVersion)!;
}

/** The "Done in N s" figure is measured: positive, and no more than the run took from outside. */
function expectMeasuredDuration(run: ReturnType<typeof demo>): void {
  const said = /\nDone in (\d+\.\d) s\./.exec(run.stdout);
  expect(said).not.toBeNull();
  const seconds = Number(said![1]);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(run.wallSeconds + 0.05);
}

const USAGE = 'usage: npm run demo [-- --api-version v1|v2]';

describe('npm run demo', () => {
  it('onboards, ignores duplicates, repairs drift on schedule, and offboards a closed account (v1)', () => {
    const run = demoOn('v1');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('(API v1)');
    expect(out).toContain('EventBridge -> intake: CreateAccountResult SUCCEEDED -> 1 message');
    expect(out).toMatch(/Datadog \(464622532012\) can assume it with the external ID: yes/);
    expect(out).toContain('SQS FIFO dropped 2 copies');
    expect(out).toContain('0 Datadog writes and 0 IAM writes for the late copy');
    // Datadog's operations by name, IAM's too; never a bare method and path.
    expect(out).toContain('worker: Datadog CreateAWSAccount; 2 IAM writes (CreateRole, PutRolePolicy); 0 failed');
    // Step 3: shared-services is created; the deleted role is recreated with a new external ID (v1 cannot read the old one).
    // The role check goes first: with role checks on, accounts with Datadog work are batched apart, after the walk here.
    expect(out).toMatch(/worker: Datadog CreateNewAWSExternalID, CreateAWSAccount; 4 IAM writes/);
    expect(out).toMatch(/worker: Datadog DeleteAWSAccount; 0 IAM writes; 0 failed\n {2}Datadog: no integration for \d{12}/);
    expect(out).not.toMatch(/\b(POST|PUT|DELETE|PATCH) \//);
    expectMeasuredDuration(run);
    expect(out).not.toContain('NO');
    expect(out).not.toContain('demo-api-key');
    expect(out).not.toContain('demo-app-key');
  });

  it('--api-version v2: mints the external ID before the role, repairs a deleted role without rotating, deletes by config UUID', () => {
    const run = demoOn('v2');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('(API v2)');
    // Step 1: mint, then create with that ID (the role, 2 IAM writes, already trusts it).
    expect(out).toContain('worker: Datadog CreateNewAWSExternalID, CreateAWSAccount; 2 IAM writes (CreateRole, PutRolePolicy); 0 failed');
    expect(out).toContain('0 Datadog writes and 0 IAM writes for the late copy');
    // Step 3: shared-services is onboarded (one mint); the deleted role is recreated with Datadog's known ID: no second mint, no rotation.
    expect(out).toMatch(/worker: Datadog CreateNewAWSExternalID, CreateAWSAccount; 4 IAM writes \(CreateRole, PutRolePolicy, CreateRole, PutRolePolicy\); 0 failed/);
    expect(out).not.toContain('UpdateAWSAccount');
    expect(out).toMatch(/worker: Datadog DeleteAWSAccount; 0 IAM writes; 0 failed\n {2}Datadog: no integration for \d{12}/);
    expect(out).not.toMatch(/\b(POST|PUT|DELETE|PATCH) \//);
    expectMeasuredDuration(run);
    // Steps 1 and 3: the new account (twice) and shared-services; the new account keeps its external ID.
    expect(out.match(/can assume it with the external ID: yes/g)).toHaveLength(3);
    const created = /account (\d{12}) "Payments Prod"/.exec(out)![1]!;
    const ids = [...out.matchAll(new RegExp(`integration for ${created}, .*external ID (\\w+)\\.\\.\\.`, 'g'))].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    expect(out).not.toContain('NO');
    expect(out).not.toContain('demo-api-key');
    expect(out).not.toContain('demo-app-key');
  });

  it.each(['v1', 'v2'] as const)(
    'profiles (%s): the EU OU lands in datadoghq.eu without metrics, another account in the default target; a move takes the integration and the trust along',
    (apiVersion) => {
      const run = demoOn(apiVersion);
      expect(run.status).toBe(0);
      const out = run.stdout.slice(run.stdout.indexOf('\n5. Profiles'));
      const [, eu, other] = /account (\d{12}) "Berlin Analytics" created in EU, (\d{12}) "Checkout Dev" in Workloads/.exec(out)!;
      const [created, moved, reconciled] = out.split(/\n6\. |\n7\. /);
      // Created: each account in its profile's target only, with that profile's settings; the EU keys come from the secret.
      expect(created).toMatch(new RegExp(`worker: ${eu}: profile eu -> target datadoghq\\.eu: Datadog datadoghq\\.eu .*CreateAWSAccount.*; ok`));
      expect(created).toMatch(new RegExp(`worker: ${other}: profile \\(top level\\) -> target datadoghq\\.com: Datadog datadoghq\\.com .*CreateAWSAccount.*; ok`));
      expect(created).toContain(`Datadog datadoghq.com: no integration for ${eu}`);
      expect(created).toMatch(new RegExp(`Datadog datadoghq\\.eu: integration for ${eu}, metrics collection off`));
      expect(created).toMatch(new RegExp(`Datadog datadoghq\\.com: integration for ${other}, metrics collection on`));
      expect(created).toContain(`Datadog datadoghq.eu: no integration for ${other}`);
      expect(created).not.toMatch(/Datadog datadoghq\.com [A-Za-z, ]*-> .*datadoghq\.eu|datadoghq\.eu [A-Za-z, ]*-> .*datadoghq\.com/);
      // Moved: created in the new target, then the trust rewritten, then ours deleted in the old one.
      // (v2 mints the new ID while the account is read: the create carries it.)
      expect(moved).toContain(
        `worker: ${eu}: profile (top level) -> target datadoghq.com: Datadog datadoghq.com ${apiVersion === 'v2' ? 'CreateNewAWSExternalID, ' : ''}CreateAWSAccount -> IAM UpdateAssumeRolePolicy -> Datadog datadoghq.eu DeleteAWSAccount; ok`,
      );
      expect(moved).toMatch(new RegExp(`Datadog datadoghq\\.com: integration for ${eu}, metrics collection on`));
      expect(moved).toContain(`Datadog datadoghq.eu: no integration for ${eu}`);
      expect(moved).toMatch(/can assume DatadogIntegrationRole with that external ID: yes; with the earlier one \(\w+\.\.\.\): no/);
      expect(moved).toContain("Datadog datadoghq.eu: 0 integrations of ours; another team's for 999999999999: untouched");
      // Then the schedule: one listing per target, nothing to create or delete, no write.
      expect(reconciled).toMatch(/Datadog listings 1 in datadoghq\.com, 1 in datadoghq\.eu: \d+ accounts, 0 to create, 0 to delete/);
      expect(reconciled).not.toMatch(/-> target [^:]+: (?!no write)/);
      for (const alarm of ['NO', 'STILL', 'GONE', 'demo-eu-api-key', 'demo-eu-app-key']) expect(out).not.toContain(alarm);
    },
  );

  it("without --api-version, runs on the product's default API version", () => {
    const run = demo();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`(API ${parseConfig({}, 'defaults').datadog.apiVersion})`);
  });

  it.each([
    [['--bogus'], 'demo: unknown argument "--bogus"'],
    [['--api-version', 'v3'], 'demo: --api-version must be v1 or v2 (got "v3")'],
    [['--api-version=v3'], 'demo: --api-version must be v1 or v2 (got "v3")'],
    [['--api-version'], 'demo: --api-version must be v1 or v2'],
    [['--api-version', 'v2', 'extra'], 'demo: unexpected argument "extra"'],
  ])('%j: the usage line and exit 2, no stack trace, nothing run', (args, message) => {
    const run = demo(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${message}\n${USAGE}\n`);
    expect(run.stdout).toBe('');
  });

  it('--help prints the usage line and exits 0', () => {
    const run = demo('--help');
    expect(run).toMatchObject({ status: 0, stdout: `${USAGE}\n`, stderr: '' });
  });
});
