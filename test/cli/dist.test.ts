/**
 * The built CLI, dist/dd-aws-org.js (what `npm run prepare` makes and the package's `bin`
 * runs), as its own process against the AWS and Datadog stand-ins: a role deleted and a trust
 * tampered with by hand show in `plan`, `apply --yes` repairs them, and `plan` is then in sync;
 * `handle-event` on an event that names no account reconciles the whole organization.
 * Under datadog.apiVersion v1 and v2.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeAwsOrganization, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_VERSIONS, missingRoleActions } from '../support/api-version';
import { tempFiles } from './harness';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'dd-aws-org.js');
const API_KEY = 'dist-cli-api-key-1234';
const APP_KEY = 'dist-cli-app-key-5678';
const ROLE = 'DatadogIntegrationRole';
const JOINED = join(ROOT, 'test', 'support', 'events', 'organizations-account-joined-organization-no-account.json');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
interface PlanJson {
  summary: { accounts: number; inSync: number; toCreate: number; toRepair: number; toDelete: number; rolesRead: number; shallow: boolean };
  guard: { tripped: boolean; deletions: number; limit: number; reason: string };
  actions: { accountId: string; type: string; reason: string }[];
  results?: { accountId: string; status: string; actions: { type: string }[] }[];
}

beforeAll(async () => {
  // The build `npm run prepare` runs, so the process below runs this working tree's code.
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, timeout: 60_000 });
}, 90_000);

describe.each(API_VERSIONS)('dist/dd-aws-org.js against the stand-ins, datadog.apiVersion %s', (apiVersion) => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const files = tempFiles();
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let accounts: string[];
  let config: string;

  beforeAll(async () => {
    await datadog.start();
    config = files.write(`${apiVersion}.json`, { datadog: { apiVersion } });
  });
  afterAll(async () => {
    await datadog.stop();
    files.cleanup();
  });
  beforeEach(async () => {
    datadog.reset();
    model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
    aws = await startAwsStandin(model);
    accounts = [0, 1, 2].map((i) => model.createAccount({ name: `member-${i}` }));
  });
  afterEach(async () => {
    await aws.stop();
  });

  /** The built CLI in its own process: not a terminal, only the stand-ins' environment. */
  async function dist(...args: string[]): Promise<Run & { json?: PlanJson }> {
    const env = { PATH: process.env.PATH ?? '', HOME: files.dir, ...aws.env(), DD_API_URL: datadog.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
    const run = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [CLI, '--config', config, ...args], { cwd: files.dir, env, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    for (const key of [API_KEY, APP_KEY]) expect(run.stdout + run.stderr).not.toContain(key);
    return { ...run, json: run.stdout.trim().startsWith('{') ? (JSON.parse(run.stdout) as PlanJson) : undefined };
  }

  it('a deleted role and a tampered trust: plan shows the repairs, apply --yes makes them, plan is then in sync', async () => {
    expect((await dist('apply', '--yes')).code).toBe(0);
    const [deleted, tampered] = accounts as [string, string];
    model.deleteRoleByHand(deleted, ROLE);
    const role = model.getRole(tampered, ROLE)!;
    model.putRoleByHand(tampered, { ...role, assumeRolePolicyDocument: role.assumeRolePolicyDocument.replace('464622532012', '417141415827') });

    const shallow = await dist('plan', '--shallow', '--json');
    // The management account (out of scope) and the three members: all in sync to a look without roles.
    expect(shallow.json?.summary).toMatchObject({ accounts: 4, inSync: 4, toRepair: 0, rolesRead: 0, shallow: true });

    const plan = await dist('plan', '--json');
    expect(plan.code).toBe(0);
    expect(plan.stderr).toBe(`dd-aws-org: configuration from ${config}\n`);
    expect(plan.json?.summary).toEqual({ accounts: 4, inSync: 2, toCreate: 0, toRepair: 2, toDelete: 0, rolesRead: 3, shallow: false });
    expect(plan.json?.guard).toEqual({ tripped: false, deletions: 0, limit: 1, reason: '0 deletions, within the limit of 1' });
    expect(plan.json?.actions.filter((a) => a.accountId === deleted).map((a) => a.type)).toEqual(missingRoleActions(apiVersion));
    expect(plan.json?.actions.filter((a) => a.accountId === tampered).map((a) => a.type)).toEqual(['update-role-trust']);

    const apply = await dist('apply', '--yes');
    expect(apply.code).toBe(0);
    expect(apply.stdout.split('\n').slice(0, 2)).toEqual([
      '4 accounts: 2 in sync, 0 to create, 2 to repair, 0 to delete',
      'roles: read in 3 accounts, as the reconciler does (reconcile.inspectRoles)',
    ]);
    // Not a terminal: one plain progress line per account worked on, and no walk or role-read progress.
    expect(apply.stderr.split('\n').filter((l) => l && !l.startsWith('dd-aws-org: configuration from'))).toHaveLength(2);
    expect(apply.stderr).not.toContain('\r');
    expect(model.getRole(deleted, ROLE)).toBeDefined();

    const after = await dist('plan', '--json');
    expect(after.json?.summary).toEqual({ accounts: 4, inSync: 4, toCreate: 0, toRepair: 0, toDelete: 0, rolesRead: 3, shallow: false });
    expect(after.json?.actions).toEqual([]);
  });

  it('handle-event with no account named: exit 2 without --yes; with it, the whole organization is applied', async () => {
    const refused = await dist('handle-event', JOINED);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect(datadog.stored()).toEqual([]);

    const run = await dist('handle-event', JOINED, '--yes', '--json');
    expect(run.code).toBe(0);
    expect(run.json?.summary).toMatchObject({ accounts: 4, toCreate: 3 });
    expect(run.json?.results?.map((r) => r.accountId).sort()).toEqual([...accounts].sort());
    expect(run.json?.results?.every((r) => r.status === 'ok')).toBe(true);
    for (const id of accounts) expect(model.canAssume(id, ROLE, { principalAccount: '464622532012', externalId: datadog.stored().find((a) => a.account_id === id)?.external_id })).toBe(true);
  });
});
