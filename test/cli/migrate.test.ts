import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AWSAccountResponseData } from '../../lambda/datadog/v2/types';
import { ACCOUNT_A, ACCOUNT_B, ROLE, sourceLine, standinSession, type CliRun } from './harness';

/**
 * `dd-aws-org migrate --to v2` against the Datadog stand-in serving v1 and v2 over one store:
 * integrations are created through v1, then the configuration is moved to v2. Datadog is only
 * read; the file is rewritten exactly, or not at all.
 */

const API_KEY = 'migrateApiKeyWq5Zr8Tn3Hv';
const APP_KEY = 'migrateAppKeyBx2Km7Pd4Fs9Gy';
const V2_ACCOUNTS = '/api/v2/integration/aws/accounts';
const ACCOUNT_C = '333333333333';

const { standin, files, cli } = standinSession({ apiKey: API_KEY, appKey: APP_KEY });

/** Creates integrations through the v1 API, as a v1 deployment did. */
async function createThroughV1(accountId: string, ...options: string[]): Promise<void> {
  const run = await cli(['integration', 'create', '--api-version', 'v1', '--account-id', accountId, '--role-name', ROLE, ...options]);
  expect(run.code).toBe(0);
}

const externalIds = () => Object.fromEntries(standin.stored().map((account) => [`${account.account_id}/${account.role_name}`, account.external_id]));

/** Runs migrate and checks that it only read Datadog. */
async function migrate(args: string[], extra: { fetch?: typeof fetch; cwd?: string } = {}): Promise<CliRun> {
  const before = standin.requests.length;
  const ids = externalIds();
  const run = await cli(['migrate', '--to', 'v2', ...args], extra);
  expect(standin.requests.slice(before).filter((request) => request.method !== 'GET')).toEqual([]);
  expect(externalIds()).toEqual(ids);
  return run;
}

const CONFIG = {
  datadog: { site: 'datadoghq.eu', apiVersion: 'v1', requestTimeoutMs: 20000 },
  role: { name: ROLE },
  integration: { hostTags: ['team:platform'], namespaceRules: { auto_scaling: false, sqs: true }, excludedRegions: ['ap-south-1'] },
  scope: { excludeAccounts: ['999999999999'] },
};

const MIGRATED = {
  ...CONFIG,
  datadog: { ...CONFIG.datadog, apiVersion: 'v2' },
  integration: { ...CONFIG.integration, namespaceRules: { 'AWS/AutoScaling': false, 'AWS/SQS': true } },
};

/** Three integrations of ours with the configured rules, and one of another team. */
async function v1Deployment(): Promise<void> {
  for (const account of [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C]) {
    await createThroughV1(account, '--namespace', 'auto_scaling=false', '--namespace', 'sqs=true', '--host-tag', 'team:platform');
  }
  const other = await cli(['integration', 'create', '--api-version', 'v1', '--account-id', ACCOUNT_A, '--role-name', 'OtherTeamRole']);
  expect(other.code).toBe(0);
}

/** A fetch that edits what v2's account list answers (what the stand-in cannot be made to show). */
function editingV2List(edit: (data: AWSAccountResponseData[]) => AWSAccountResponseData[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (new URL(String(input)).pathname !== V2_ACCOUNTS) return response;
    const body = (await response.json()) as { data: AWSAccountResponseData[] };
    return new Response(JSON.stringify({ ...body, data: edit(body.data) }), { status: response.status, headers: { 'content-type': 'application/json' } });
  };
}

/** migrate --json's object, every key of it: a run that wrote nothing and found nothing. */
const report = (configFile: string) => ({
  configSource: configFile,
  from: 'v1',
  to: 'v2',
  dryRun: false,
  configFile,
  written: false,
  changes: [],
  integrations: { ours: 0, seenInV2: 0, externalIdsKept: 0 },
  problems: [],
});

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe('migrate --to v2 with --config', () => {
  it('rewrites the file exactly: v2, rules in CloudWatch names learnt from Datadog, everything else kept', async () => {
    await v1Deployment();
    const path = files.write('deploy.json', JSON.stringify(CONFIG, null, 4));
    const run = await migrate(['--config', path]);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(path) });
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify(MIGRATED, null, 2) + '\n');
    expect(leftovers(files.dir)).toEqual([]);
    expect(run.stdout).toContain(`Checked 3 integrations with role ${ROLE} through Datadog's v1 API: 3 seen through v2.`);
    expect(run.stdout).toContain('External IDs kept: 3 of 3 (nothing rotated');
    expect(run.stdout).toContain('datadog.apiVersion: "v1" -> "v2"');
    expect(run.stdout).toContain('integration.namespaceRules: {"auto_scaling":false,"sqs":true} -> {"AWS/AutoScaling":false,"AWS/SQS":true}');
    expect(run.stdout).toContain(`Wrote ${path}.`);
    expect(run.stdout).toContain('npx cdk deploy');
    expect(run.stdout).toContain('update-role-trust');
    // The result loads as a v2 configuration.
    expect((await cli(['--config', path, 'integration', 'list', '--json'])).code).toBe(0);
  });

  it('--dry-run reports the same and writes nothing', async () => {
    await v1Deployment();
    const text = JSON.stringify(CONFIG);
    const path = files.write('dry.json', text);
    const run = await migrate(['--config', path, '--dry-run']);
    expect(run.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(run.stdout).toContain(`Dry run: ${path} was not written.`);
  });

  it('--json prints one object', async () => {
    await v1Deployment();
    const path = files.write('json.json', CONFIG);
    const run = await migrate(['--config', path, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ...report(path),
      written: true,
      changes: [
        { path: 'datadog.apiVersion', from: 'v1', to: 'v2' },
        { path: 'integration.namespaceRules', from: CONFIG.integration.namespaceRules, to: MIGRATED.integration.namespaceRules },
      ],
      integrations: { ours: 3, seenInV2: 3, externalIdsKept: 3 },
      problems: [],
    });
  });

  it('leaves empty namespace rules as they are and only changes the version', async () => {
    await createThroughV1(ACCOUNT_A);
    const path = files.write('plain.json', { datadog: { apiVersion: 'v1' } });
    const run = await migrate(['--config', path, '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ changes: [{ path: 'datadog.apiVersion', from: 'v1', to: 'v2' }], integrations: { ours: 1 } });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "datadog": {\n    "apiVersion": "v2"\n  }\n}\n');
  });

  it('says so when the configuration is v2 already (exit 0, nothing read or written)', async () => {
    const text = JSON.stringify({ datadog: { apiVersion: 'v2' } });
    const path = files.write('v2.json', text);
    const run = await migrate(['--config', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('already uses datadog.apiVersion "v2": nothing to do');
    expect(standin.requests).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

describe('migrate --to v2 with cdk.json', () => {
  const CDK_JSON = {
    app: 'npx tsx bin/app.ts',
    context: { '@aws-cdk/core:enableDiffNoFail': true, datadogAwsOrg: CONFIG, 'cli-telemetry': false },
    watch: { include: ['bin/**'] },
  };

  it('reads context.datadogAwsOrg from ./cdk.json and changes only that', async () => {
    await v1Deployment();
    const path = files.write('cdk.json', JSON.stringify(CDK_JSON, null, 2) + '\n');
    const run = await migrate([], { cwd: files.dir });
    expect(run.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify({ ...CDK_JSON, context: { ...CDK_JSON.context, datadogAwsOrg: MIGRATED } }, null, 2) + '\n');
    expect(run.stdout).toContain('context.datadogAwsOrg');
    expect(leftovers(files.dir)).toEqual([]);
  });

  it('keeps a context given as a JSON string a string', async () => {
    await createThroughV1(ACCOUNT_A);
    writeFileSync(join(files.dir, 'cdk.json'), JSON.stringify({ context: { datadogAwsOrg: '{"datadog":{"site":"datadoghq.eu","apiVersion":"v1"}}' } }));
    expect((await migrate([], { cwd: files.dir })).code).toBe(0);
    const written = JSON.parse(readFileSync(join(files.dir, 'cdk.json'), 'utf8')) as { context: { datadogAwsOrg: string } };
    expect(JSON.parse(written.context.datadogAwsOrg)).toEqual({ datadog: { site: 'datadoghq.eu', apiVersion: 'v2' } });
  });

  it('exits 2 without --config and without cdk.json', async () => {
    const empty = join(files.dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const run = await migrate([], { cwd: empty });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no --config given and no cdk.json');
  });
});

describe('migrate: Datadog-side problems (exit 1, nothing written)', () => {
  it('names the integrations v2 does not show, or shows without an external ID', async () => {
    await v1Deployment();
    const text = JSON.stringify(CONFIG);
    const path = files.write('missing.json', text);
    const fetch = editingV2List((data) =>
      data
        .filter((item) => item.attributes?.aws_account_id !== ACCOUNT_B)
        .map((item) => (item.attributes?.aws_account_id === ACCOUNT_C ? { ...item, attributes: { ...item.attributes!, auth_config: { role_name: ROLE } } } : item)),
    );
    const run = await migrate(['--config', path, '--json'], { fetch });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      ...report(path),
      integrations: { ours: 3, seenInV2: 2, externalIdsKept: 1 },
      problems: [
        `account ${ACCOUNT_B} (role ${ROLE}): not seen through Datadog's v2 API`,
        `account ${ACCOUNT_C} (role ${ROLE}): seen through Datadog's v2 API without an external ID`,
      ],
    });
    expect(readFileSync(path, 'utf8')).toBe(text);

    const human = await migrate(['--config', path], { fetch });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(`account ${ACCOUNT_B} (role ${ROLE}): not seen through Datadog's v2 API`);
  });

  it('names two accounts whose v2 rules disagree', async () => {
    await v1Deployment();
    const path = files.write('disagree.json', CONFIG);
    const fetch = editingV2List((data) =>
      data.map((item) =>
        item.attributes?.aws_account_id === ACCOUNT_B
          ? { ...item, attributes: { ...item.attributes!, metrics_config: { namespace_filters: { exclude_only: ['AWS/EC2'] } } } }
          : item,
      ),
    );
    const run = await migrate(['--config', path, '--json'], { fetch });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { problems: string[]; written: boolean };
    expect(report.written).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain(`account ${ACCOUNT_A} and account ${ACCOUNT_B}`);
  });
});

describe('migrate: configuration problems (exit 2, nothing written)', () => {
  it('--to accepts only v2', async () => {
    const run = await cli(['migrate', '--to', 'v3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('only v2');
    expect(standin.requests).toEqual([]);
  });

  it('says how to write the rules when no integration has them', async () => {
    await createThroughV1(ACCOUNT_A, '--namespace', 'ec2=false');
    const text = JSON.stringify(CONFIG);
    const path = files.write('unlearnt.json', text);
    const run = await migrate(['--config', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('integration.namespaceRules');
    expect(run.stderr).toContain('integration namespaces --api-version v2');
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("lets the schema's message through for an excluded region v2 does not know", async () => {
    await createThroughV1(ACCOUNT_A);
    const text = JSON.stringify({ datadog: { apiVersion: 'v1' }, integration: { excludedRegions: ['us-west-9'] } });
    const path = files.write('region.json', text);
    const run = await migrate(['--config', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"us-west-9" is not a region this version knows');
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
