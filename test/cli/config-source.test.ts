import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { parseConfig } from '../../lambda/config/schema';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DEFAULTS, runCliCollect, sourceLine, useDatadogStandin, type CliRun } from './harness';

/**
 * Where a run's configuration comes from, and the exit codes and messages of the run's own
 * problems (keys, AWS credentials, unreachable hosts, overrides), for every command that
 * reads configuration: the CLI in-process, the real AWS SDK against the AWS stand-in.
 */

const API_KEY = 'configSourceApiKey4Rt8Wq';
const APP_KEY = 'configSourceAppKey7Yp3Ln';
const MANAGEMENT = '111111111111';
const PARAMETER = '/datadog-aws-org-integration/DatadogOrgIntegration/config';

const { standin: datadog, files } = useDatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
let model: FakeAwsOrganization;
let aws: AwsStandin;
let restoreEnv: () => void;
let member: string;

beforeEach(async () => {
  model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
  member = model.createAccount({ name: 'member' });
  aws = await startAwsStandin(model);
  // No shared files, no instance metadata: only what a test puts in the environment counts.
  restoreEnv = pointProcessAt(aws, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' });
});

afterEach(async () => {
  restoreEnv();
  await aws.stop();
});

interface Options {
  env?: NodeJS.ProcessEnv;
  cwd?: string | null;
}

async function cli(args: string[], options: Options = {}): Promise<CliRun> {
  const run = await runCliCollect(args, { env: { DD_API_URL: datadog.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, ...options.env }, cwd: options.cwd });
  for (const key of [API_KEY, APP_KEY]) expect(run.stdout + run.stderr).not.toContain(key);
  // The run's own problems are one sentence, never a stack trace.
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return run;
}

/** A directory holding a cdk.json with this content. */
function appDirectory(name: string, cdkJson: unknown): string {
  const dir = join(files.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.json'), typeof cdkJson === 'string' ? cdkJson : JSON.stringify(cdkJson));
  return dir;
}

const excluding = (accountId: string) => ({ datadog: { apiVersion: 'v1' }, scope: { excludeAccounts: [accountId] } });

/** converge --dry-run --json of the member account: its status says which configuration was used. */
async function dryRun(args: string[], options: Options = {}): Promise<{ run: CliRun; configSource?: string; status?: string }> {
  const run = await cli(['converge', member, '--dry-run', '--json', ...args], options);
  if (run.code !== 0) return { run };
  const json = JSON.parse(run.stdout) as { configSource: string; results: { status: string }[] };
  expect(run.stderr).toBe(sourceLine(json.configSource));
  return { run, configSource: json.configSource, status: json.results[0]!.status };
}

describe('the configuration source, on stderr and as configSource in --json', () => {
  it('without --config and without ./cdk.json: the defaults', async () => {
    const empty = join(files.dir, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(await dryRun([], { cwd: empty })).toMatchObject({ configSource: DEFAULTS, status: 'ok' });
  });

  it.each([
    ['an object', excluding('ACCOUNT')],
    ['a JSON string', JSON.stringify(excluding('ACCOUNT'))],
  ])("./cdk.json's context.datadogAwsOrg as %s, in the directory the command is started from", async (_form, context) => {
    const value = typeof context === 'string' ? context.replace('ACCOUNT', member) : excluding(member);
    const dir = appDirectory(`app-${typeof context}`, { app: 'npx tsx bin/app.ts', notices: false, watch: {}, context: { 'cli-telemetry': false, datadogAwsOrg: value } });
    expect(await dryRun([], { cwd: dir })).toMatchObject({ configSource: './cdk.json (context.datadogAwsOrg)', status: 'skipped' });
  });

  it('under npm run (the working directory is the package root): ./cdk.json of INIT_CWD, the caller\'s directory', async () => {
    const dir = appDirectory('caller', { app: 'x', context: { datadogAwsOrg: excluding(member) } });
    expect(await dryRun([], { cwd: null, env: { INIT_CWD: dir } })).toMatchObject({ configSource: './cdk.json (context.datadogAwsOrg)', status: 'skipped' });
  });

  it('a cdk.json without context.datadogAwsOrg: the defaults, as the stack would use them', async () => {
    const dir = appDirectory('bare', { app: 'x', context: { 'cli-telemetry': false } });
    expect(await dryRun([], { cwd: dir })).toMatchObject({ configSource: 'defaults (./cdk.json has no context.datadogAwsOrg)', status: 'ok' });
  });

  it('--config cdk.json reads its context (app, notices, watch are no unknown keys), and --config wins over ./cdk.json', async () => {
    const elsewhere = appDirectory('elsewhere', { app: 'x', notices: false, watch: { include: [] }, context: { datadogAwsOrg: excluding(member) } });
    const here = appDirectory('here', { app: 'x', context: {} });
    const path = join(elsewhere, 'cdk.json');
    expect(await dryRun(['--config', path], { cwd: here })).toMatchObject({ configSource: `${path} (context.datadogAwsOrg)`, status: 'skipped' });
    const plain = files.write('plain.json', excluding(member));
    expect(await dryRun(['--config', plain], { cwd: elsewhere })).toMatchObject({ configSource: plain, status: 'skipped' });
  });

  it('every command names it: plan, handle-event, integration (stderr only: its --json is Datadog\'s body), migrate', async () => {
    const dir = appDirectory('all', { app: 'x', context: { datadogAwsOrg: { datadog: { apiVersion: 'v2' } } } });
    const line = sourceLine('./cdk.json (context.datadogAwsOrg)');
    const plan = await cli(['plan', '--json'], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toBe(line);
    expect(JSON.parse(plan.stdout)).toMatchObject({ configSource: './cdk.json (context.datadogAwsOrg)', summary: { toCreate: 1 } });

    const event = files.write('event.json', {
      source: 'aws.organizations',
      'detail-type': 'AWS Service Event via CloudTrail',
      detail: { eventName: 'CreateAccountResult', serviceEventDetails: { createAccountStatus: { state: 'FAILED' } } },
    });
    const handled = await cli(['handle-event', event, '--json'], { cwd: dir });
    expect(handled.code).toBe(0);
    expect(handled.stderr.startsWith(line)).toBe(true);
    expect(JSON.parse(handled.stdout)).toEqual({ configSource: './cdk.json (context.datadogAwsOrg)', results: [] });

    const listed = await cli(['integration', 'list', '--json'], { cwd: dir });
    expect(listed).toMatchObject({ code: 0, stderr: line });
    expect(JSON.parse(listed.stdout)).toEqual({ data: [] });

    const migrated = await cli(['migrate', '--to', 'v2', '--json'], { cwd: dir });
    expect(migrated).toMatchObject({ code: 0, stderr: line });
    expect(JSON.parse(migrated.stdout)).toMatchObject({ configSource: './cdk.json (context.datadogAwsOrg)', configFile: join(dir, 'cdk.json') });
  });

  it('the environment and the flags still go over it', async () => {
    const dir = appDirectory('over', { context: { datadogAwsOrg: { datadog: { apiVersion: 'v1', apiUrl: 'http://127.0.0.1:9', site: 'datadoghq.eu' } } } });
    const run = await cli(['integration', 'list'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(datadog.requests).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{"context": {', /cdk\.json is not valid JSON/],
    ['a context that is a string of bad JSON', { context: { datadogAwsOrg: '{"datadog":' } }, /\.\/cdk\.json \(context\.datadogAwsOrg\) is not valid JSON/],
    ['an invalid configuration', { context: { datadogAwsOrg: { scope: { excludeAccounts: ['123'] } } } }, /\.\/cdk\.json \(context\.datadogAwsOrg\): scope\.excludeAccounts\.0: "123" is not an AWS account ID/],
  ])('a ./cdk.json with %s: exit 2, naming it, nothing called', async (name, content, message) => {
    const dir = appDirectory(name.replace(/\W+/g, '-'), content);
    const run = await cli(['converge', member], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(model.calls).toEqual([]);
  });

  it('--config and --from-stack together: exit 2', async () => {
    const run = await cli(['--config', files.write('x.json', {}), 'plan', '--from-stack']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--config and --from-stack both name the configuration');
  });

  it('--from-stack followed by a command takes no command for a stack name: exit 2, saying where to put it', async () => {
    const run = await cli(['--from-stack', 'plan']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"plan" is a command: put --from-stack after it (dd-aws-org plan --from-stack)');
  });
});

describe('--from-stack: the configuration the deployed stack publishes', () => {
  /** What lib/published-config.ts writes: the parsed configuration, the keys' secret named by ARN. */
  function publish(stackName: string, raw: Record<string, unknown>): void {
    const secret = model.putSecret('DatadogKeys-abc', JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }));
    const config = parseConfig({ ...raw, datadog: { ...(raw.datadog as object), credentialsSecretId: secret.arn } });
    model.putParameter(`/datadog-aws-org-integration/${stackName}/config`, JSON.stringify(config));
  }

  it('reads it from SSM (default stack DatadogOrgIntegration), keys from the secret it names', async () => {
    publish('DatadogOrgIntegration', excluding(member));
    const result = await dryRun(['--from-stack'], { env: { DD_API_KEY: undefined, DD_APP_KEY: undefined } });
    expect(result).toMatchObject({ configSource: `stack DatadogOrgIntegration (SSM parameter ${PARAMETER} (us-east-1))`, status: 'skipped' });
    expect(model.callsTo('ssm', 'GetParameter').map((call) => call.params.Name)).toEqual([PARAMETER]);
    expect(model.callsTo('secretsmanager', 'GetSecretValue').length).toBeGreaterThan(0);
  });

  it('--from-stack NAME reads that stack\'s, before or after the command', async () => {
    publish('Other', excluding(member));
    expect(await dryRun(['--from-stack', 'Other'])).toMatchObject({ status: 'skipped' });
    const plan = await cli(['--from-stack', 'Other', 'plan', '--json']);
    expect(JSON.parse(plan.stdout).configSource).toContain('/datadog-aws-org-integration/Other/config');
  });

  it('a stack that published nothing: exit 2, saying what to do', async () => {
    const run = await cli(['converge', member, '--from-stack', 'Missing']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('stack Missing has published no configuration: no SSM parameter /datadog-aws-org-integration/Missing/config (us-east-1)');
    expect(run.stderr).toContain('npx cdk deploy');
  });

  it('migrate cannot rewrite a stack: exit 2', async () => {
    const run = await cli(['migrate', '--to', 'v2', '--from-stack']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from-stack names none');
  });
});

describe('exit codes of the run\'s own problems', () => {
  it('converge without Datadog keys: exit 2 before any call, naming DD_API_KEY, DD_APP_KEY and --secret-id', async () => {
    const none = await cli(['converge', member], { env: { DD_API_KEY: undefined, DD_APP_KEY: undefined } });
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('set DD_API_KEY and DD_APP_KEY, or name a Secrets Manager secret with --secret-id');
    const half = await cli(['converge', member, '--json'], { env: { DD_APP_KEY: undefined } });
    expect(half).toMatchObject({ code: 2, stdout: '' });
    expect(half.stderr).toContain('DD_APP_KEY is not set');
    expect(model.calls).toEqual([]);
    expect(datadog.requests).toEqual([]);
  });

  it.each([
    ['converge', () => ['converge', member]],
    ['plan', () => ['plan']],
    ['apply', () => ['apply', '--yes']],
  ])('%s without AWS credentials: exit 2, naming AWS_PROFILE and the management account', async (_name, args) => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const run = await cli(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no AWS credentials found: set AWS_PROFILE to a profile of the organization's management account");
    expect(run.stderr).not.toContain('unexpected error');
  });

  it.each([
    ['converge (STS)', () => ['converge', member], 'InvalidClientTokenId'],
    ['plan (Organizations)', () => ['plan'], 'UnrecognizedClientException'],
  ])('%s with credentials AWS does not know: exit 2', async (_name, args, code) => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAUNKNOWNKEY000000', AWS_SESSION_TOKEN: 'not-a-session' });
    const run = await cli(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`AWS rejected the credentials (${code}: `);
    expect(run.stderr).toContain('set AWS_PROFILE');
  });

  it('expired credentials: exit 2', async () => {
    const sts = new STSClient({ region: 'us-east-1' });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'operator', DurationSeconds: 900 }),
    );
    model.advanceTime(3_600_000);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: Credentials!.AccessKeyId, AWS_SECRET_ACCESS_KEY: Credentials!.SecretAccessKey, AWS_SESSION_TOKEN: Credentials!.SessionToken });
    const run = await cli(['converge', member]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('AWS rejected the credentials (ExpiredToken: ');
  });

  // AWS unreachable: in test/cli/built-cli.test.ts (under jest, the SDK sees Node's network errors from
  // another realm and wraps them, losing their code).

  it('Datadog unreachable: exit 1, naming the URL and DD_SITE / DD_API_URL', async () => {
    const run = await cli(['integration', 'list'], { env: { DD_API_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach Datadog at http:\/\/127\.0\.0\.1:9.*; check DD_SITE and DD_API_URL/);
  });

  it.each([
    ['DD_SITE', { DD_SITE: 'datadoghq.xyz' }, [], 'DD_SITE=datadoghq.xyz: unknown Datadog site "datadoghq.xyz"; use one of: datadoghq.com'],
    ['DD_API_URL', { DD_API_URL: 'ftp://dd.example.com' }, [], 'DD_API_URL=ftp://dd.example.com: must be an https:// URL'],
    ['--site', {}, ['--site', 'datadoghq.xyz'], '--site datadoghq.xyz: unknown Datadog site "datadoghq.xyz"'],
    ['--secret-id', {}, ['--secret-id', ''], '--secret-id "": must be the name or ARN of a Secrets Manager secret'],
  ])('a bad %s is reported by its own name: exit 2', async (_name, env, flags, message) => {
    for (const command of [['converge', member], ['plan'], ['integration', 'list']]) {
      const run = await cli([...flags, ...command], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`dd-aws-org: ${message}`);
      expect(run.stderr).not.toContain('datadog.site');
    }
    expect(model.calls).toEqual([]);
  });

  it('the root --help shows the configuration order and the exit-code table', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--from-stack [name]');
    expect(run.stdout).toContain("else ./cdk.json's context.datadogAwsOrg");
    for (const code of ['0 ', '1 ', '2 ', '3 ', '75 ']) expect(run.stdout).toMatch(new RegExp(`^  ${code}`, 'm'));
  });
});
