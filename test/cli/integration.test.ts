import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import { STANDIN_NAMESPACES } from '@datadog-aws-org-integration/standins/datadog';
import { ACCOUNT_A, ACCOUNT_B, DEFAULTS, ROLE, runCliCollect, sourceLine, stubFetch, useDatadogStandin, type CliRun } from './harness';

/**
 * `dd-aws-org integration ...` run in-process against the stateful Datadog stand-in:
 * what is printed, what is sent, and the exit codes of the public contract.
 */

const API_KEY = 'cli-test-api-key-5d1f0c9e7a';
const APP_KEY = 'cli-test-app-key-8b2e4f6a1c3d';
const PATH = '/api/v1/integration/aws';

const { standin, files } = useDatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
const secretsManager = mockClient(SecretsManagerClient);
afterAll(() => secretsManager.restore());
beforeEach(() => secretsManager.reset());

function env(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { DD_API_URL: standin.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, ...overrides };
}

/** This suite is the v1 API's: every `integration` command says --api-version v1 (v2 is the default; integration-v2.test.ts). */
function v1(args: string[]): string[] {
  const at = args.indexOf('integration');
  return at < 0 ? args : [...args.slice(0, at + 1), '--api-version', 'v1', ...args.slice(at + 1)];
}

function cli(args: string[], overrides: NodeJS.ProcessEnv = {}, extra: { fetch?: typeof fetch } = {}): Promise<CliRun> {
  return runCliCollect(v1(args), {
    env: env(overrides),
    ...extra,
    secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }),
  });
}

/** What Datadog lists: the stored integrations without their external IDs. */
function listed(): AWSAccount[] {
  return standin.stored().map(({ external_id: _hidden, ...visible }) => visible);
}

const FULL_ACCOUNT: AWSAccount = {
  account_id: ACCOUNT_A,
  role_name: ROLE,
  host_tags: ['team:platform', 'env:prod'],
  filter_tags: ['datadog:monitored'],
  excluded_regions: ['ap-south-1'],
  account_specific_namespace_rules: { auto_scaling: false },
  metrics_collection_enabled: true,
  cspm_resource_collection_enabled: false,
  extended_resource_collection_enabled: false,
};

describe('integration list', () => {
  it('says so when nothing matches', async () => {
    const run = await cli(['integration', 'list']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(run.stdout).toBe('No AWS integrations match.\n');
    expect(standin.requests).toEqual([{ method: 'GET', path: PATH, query: {}, body: undefined, authorized: true }]);
  });

  it('prints a table of every integration', async () => {
    standin.seed({ ...FULL_ACCOUNT, external_id: 'ext-a' });
    standin.seed({
      account_id: ACCOUNT_B,
      role_name: 'OtherTeamRole',
      metrics_collection_enabled: false,
      extended_resource_collection_enabled: true,
      cspm_resource_collection_enabled: true,
    });
    const run = await cli(['integration', 'list']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT ID\s+AUTH\s+METRICS\s+RESOURCES\s+CSPM\s+HOST TAGS\s+FILTER TAGS\s+EXCLUDED REGIONS\s+NAMESPACE RULES$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      ACCOUNT_A,
      `role ${ROLE}`,
      'on',
      'off',
      'off',
      'team:platform,env:prod',
      'datadog:monitored',
      'ap-south-1',
      'auto_scaling=off',
    ]);
    expect(lines[2]!.split(/\s{2,}/)).toEqual([ACCOUNT_B, 'role OtherTeamRole', 'off', 'on', 'on', '-', '-', '-', '-']);
    expect(lines[3]).toBe('2 integrations');
    expect(run.stdout).not.toContain('ext-a');
  });

  it('--json prints the response body as Datadog sent it', async () => {
    standin.seed({ ...FULL_ACCOUNT, external_id: 'ext-a' });
    standin.seed({ account_id: ACCOUNT_B, role_name: ROLE });
    const run = await cli(['integration', 'list', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(JSON.parse(run.stdout)).toEqual({ accounts: listed() });
  });

  it('--account-id and --role-name filter on the server', async () => {
    standin.seed({ account_id: ACCOUNT_A, role_name: ROLE });
    standin.seed({ account_id: ACCOUNT_A, role_name: 'OtherTeamRole' });
    standin.seed({ account_id: ACCOUNT_B, role_name: ROLE });
    const run = await cli(['integration', 'list', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ accounts: [{ account_id: ACCOUNT_A, role_name: ROLE }] });
    expect(standin.requests).toEqual([
      { method: 'GET', path: PATH, query: { account_id: ACCOUNT_A, role_name: ROLE }, body: undefined, authorized: true },
    ]);

    const human = await cli(['integration', 'list', '--account-id', ACCOUNT_A]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('2 integrations');
    expect(standin.requests[1]!.query).toEqual({ account_id: ACCOUNT_A });
  });
});

describe('integration create', () => {
  it('creates the integration and prints its external ID', async () => {
    const run = await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE]);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    const [stored] = standin.stored();
    expect(stored?.external_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.stdout).toContain(`External ID: ${stored!.external_id}\n`);
    expect(run.stdout).toContain(`account ${ACCOUNT_A} with role ${ROLE}`);
    expect(standin.requests).toEqual([
      { method: 'POST', path: PATH, query: {}, body: { account_id: ACCOUNT_A, role_name: ROLE }, authorized: true },
    ]);
  });

  it('--json prints {"external_id": ...} as Datadog sent it', async () => {
    const run = await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(JSON.parse(run.stdout)).toEqual({ external_id: standin.stored()[0]!.external_id });
  });

  it('sends every setting given, repeated options in order', async () => {
    const run = await cli([
      'integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE,
      '--host-tag', 'team:platform', '--host-tag', 'env:prod', '--host-tag', 'url:https://x.example',
      '--filter-tag', 'datadog:monitored', '--filter-tag', '!env:dev*',
      '--excluded-region', 'us-east-1', '--excluded-region', 'eu-west-3',
      '--namespace', 'auto_scaling=false', '--namespace', 'sqs=true',
      '--no-metrics',
      '--cspm',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    const expected = {
      account_id: ACCOUNT_A,
      role_name: ROLE,
      host_tags: ['team:platform', 'env:prod', 'url:https://x.example'],
      filter_tags: ['datadog:monitored', '!env:dev*'],
      excluded_regions: ['us-east-1', 'eu-west-3'],
      account_specific_namespace_rules: { auto_scaling: false, sqs: true },
      metrics_collection_enabled: false,
      cspm_resource_collection_enabled: true,
      extended_resource_collection_enabled: true,
    };
    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]!.body).toEqual(expected);
    expect(listed()).toEqual([expected]);
  });

  it('--cspm also turns extended resource collection on', async () => {
    await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--cspm']);
    expect(standin.requests[0]!.body).toEqual({
      account_id: ACCOUNT_A,
      role_name: ROLE,
      cspm_resource_collection_enabled: true,
      extended_resource_collection_enabled: true,
    });
  });

  it('--no-metrics sends metrics_collection_enabled false, --metrics true', async () => {
    await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--no-metrics']);
    await cli(['integration', 'create', '--account-id', ACCOUNT_B, '--role-name', ROLE, '--metrics']);
    expect(standin.requests.map((r) => r.body)).toEqual([
      { account_id: ACCOUNT_A, role_name: ROLE, metrics_collection_enabled: false },
      { account_id: ACCOUNT_B, role_name: ROLE, metrics_collection_enabled: true },
    ]);
  });

  it('409: exit 1, says it already exists, no retry', async () => {
    standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-old' });
    const run = await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('already exists');
    expect(run.stderr).toContain('409');
    expect(standin.requests).toHaveLength(1);
    expect(standin.stored()[0]!.external_id).toBe('ext-old');
  });
});

describe('integration update', () => {
  beforeEach(() => standin.seed({ ...FULL_ACCOUNT, external_id: 'ext-a' }));

  it('sends only the fields given and leaves the rest as stored', async () => {
    const run = await cli(['integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--host-tag', 'team:data']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(run.stdout).toBe(`Updated the AWS integration for account ${ACCOUNT_A} with role ${ROLE}: host_tags.\n`);
    expect(standin.requests).toEqual([
      {
        method: 'PUT',
        path: PATH,
        query: { account_id: ACCOUNT_A, role_name: ROLE },
        body: { account_id: ACCOUNT_A, role_name: ROLE, host_tags: ['team:data'] },
        authorized: true,
      },
    ]);
    expect(standin.stored()).toEqual([{ ...FULL_ACCOUNT, host_tags: ['team:data'], external_id: 'ext-a' }]);
  });

  it('--no-metrics alone sends metrics_collection_enabled false only', async () => {
    const run = await cli(['integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--no-metrics']);
    expect(run.code).toBe(0);
    expect(standin.requests[0]!.body).toEqual({ account_id: ACCOUNT_A, role_name: ROLE, metrics_collection_enabled: false });
  });

  it('--cspm sends cspm and extended resource collection, nothing else', async () => {
    const run = await cli(['integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--cspm']);
    expect(run.code).toBe(0);
    expect(standin.requests[0]!.body).toEqual({
      account_id: ACCOUNT_A,
      role_name: ROLE,
      cspm_resource_collection_enabled: true,
      extended_resource_collection_enabled: true,
    });
  });

  it('sends every list option given, repeated values in order', async () => {
    const run = await cli([
      'integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE,
      '--namespace', 'ec2=false', '--namespace', 'rds=true',
      '--excluded-region', 'us-west-2', '--filter-tag', 'a:b', '--filter-tag', 'c:d',
    ]);
    expect(run.code).toBe(0);
    expect(standin.requests[0]!.body).toEqual({
      account_id: ACCOUNT_A,
      role_name: ROLE,
      filter_tags: ['a:b', 'c:d'],
      excluded_regions: ['us-west-2'],
      account_specific_namespace_rules: { ec2: false, rds: true },
    });
  });

  it('--json prints the response body as Datadog sent it', async () => {
    const run = await cli(['integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--metrics', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(JSON.parse(run.stdout)).toEqual({});
  });

  it('an integration that does not exist: exit 1 with Datadog\'s reason', async () => {
    const run = await cli(['integration', 'update', '--account-id', ACCOUNT_B, '--role-name', ROLE, '--no-metrics']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does not exist');
    expect(run.stdout).toBe('');
  });
});

describe('integration delete', () => {
  beforeEach(() => standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-a' }));

  it('deletes the integration', async () => {
    const run = await cli(['integration', 'delete', '--account-id', ACCOUNT_A, '--role-name', ROLE]);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(run.stdout).toBe(`Deleted the AWS integration for account ${ACCOUNT_A} with role ${ROLE}.\n`);
    expect(standin.requests).toEqual([
      { method: 'DELETE', path: PATH, query: {}, body: { account_id: ACCOUNT_A, role_name: ROLE }, authorized: true },
    ]);
    expect(standin.stored()).toEqual([]);
  });

  it('--json prints the response body as Datadog sent it', async () => {
    const run = await cli(['integration', 'delete', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(JSON.parse(run.stdout)).toEqual({});
    expect(standin.stored()).toEqual([]);
  });

  it('an integration that does not exist: exit 1', async () => {
    const run = await cli(['integration', 'delete', '--account-id', ACCOUNT_A, '--role-name', 'NotThere']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does not exist');
    expect(standin.stored()).toHaveLength(1);
  });
});

describe('integration namespaces', () => {
  it('prints one namespace a line', async () => {
    const run = await cli(['integration', 'namespaces']);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(run.stdout).toBe(STANDIN_NAMESPACES.map((ns) => `${ns}\n`).join(''));
    expect(standin.requests).toEqual([
      { method: 'GET', path: `${PATH}/available_namespace_rules`, query: {}, body: undefined, authorized: true },
    ]);
  });

  it('--json prints the array as Datadog sent it', async () => {
    const run = await cli(['integration', 'namespaces', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(STANDIN_NAMESPACES);
  });
});

describe('integration rotate-external-id', () => {
  beforeEach(() => standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-old' }));

  it('prints the new external ID', async () => {
    const run = await cli(['integration', 'rotate-external-id', '--account-id', ACCOUNT_A, '--role-name', ROLE]);
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    const rotated = standin.stored()[0]!.external_id!;
    expect(rotated).not.toBe('ext-old');
    expect(run.stdout).toContain(`New external ID for account ${ACCOUNT_A} with role ${ROLE}: ${rotated}\n`);
    expect(standin.requests).toEqual([
      {
        method: 'PUT',
        path: `${PATH}/generate_new_external_id`,
        query: {},
        body: { account_id: ACCOUNT_A, role_name: ROLE },
        authorized: true,
      },
    ]);
  });

  it('--json prints {"external_id": ...} as Datadog sent it', async () => {
    const run = await cli(['integration', 'rotate-external-id', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ external_id: standin.stored()[0]!.external_id });
  });

  it('an integration that does not exist: exit 1', async () => {
    const run = await cli(['integration', 'rotate-external-id', '--account-id', ACCOUNT_B, '--role-name', ROLE]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does not exist');
  });
});

describe('--help', () => {
  it.each([
    [[]],
    [['integration']],
    [['integration', 'list']],
    [['integration', 'create']],
    [['integration', 'update']],
    [['integration', 'delete']],
    [['integration', 'namespaces']],
    [['integration', 'rotate-external-id']],
  ])('%j --help exits 0 with usage and sends nothing', async (args) => {
    const run = await cli([...args, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: dd-aws-org/);
    expect(standin.requests).toHaveLength(0);
  });

  it('create --help documents the repeatable options', async () => {
    const run = await cli(['integration', 'create', '--help']);
    for (const option of ['--account-id', '--role-name', '--host-tag', '--filter-tag', '--excluded-region', '--namespace', '--no-metrics', '--cspm', '--json']) {
      expect(run.stdout).toContain(option);
    }
  });
});

describe('usage and configuration errors: exit 2, nothing sent', () => {
  const create = ['integration', 'create', '--role-name', ROLE, '--account-id'];
  const update = ['integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE];

  type Case = [name: string, args: string[] | (() => string[]), envOverrides: NodeJS.ProcessEnv, stderrMatch: RegExp];
  const cases: Case[] = [
    ['account ID of 11 digits', [...create, '12345678901'], {}, /12345678901.*exactly 12 digits/],
    ['account ID of 13 digits', [...create, '1234567890123'], {}, /exactly 12 digits/],
    ['account ID with dashes', [...create, '1234-5678-9012'], {}, /exactly 12 digits/],
    ['account ID with letters', [...create, '12345678901a'], {}, /exactly 12 digits/],
    ['list --account-id too short', ['integration', 'list', '--account-id', '1234'], {}, /exactly 12 digits/],
    ['update with a bad account ID', ['integration', 'update', '--account-id', '0', '--role-name', ROLE, '--no-metrics'], {}, /exactly 12 digits/],
    ['delete with a bad account ID', ['integration', 'delete', '--account-id', 'x', '--role-name', ROLE], {}, /exactly 12 digits/],
    ['rotate with a bad account ID', ['integration', 'rotate-external-id', '--account-id', '12345678901 2', '--role-name', ROLE], {}, /exactly 12 digits/],
    ['role name with a space', ['integration', 'delete', '--account-id', ACCOUNT_A, '--role-name', 'my role'], {}, /IAM role name/],
    ['--account-id missing', ['integration', 'create', '--role-name', ROLE], {}, /--account-id/],
    ['--role-name missing', ['integration', 'delete', '--account-id', ACCOUNT_A], {}, /--role-name/],
    ['unknown --site', ['--site', 'datadoghq.example', 'integration', 'list'], {}, /--site datadoghq\.example: unknown Datadog site "datadoghq\.example"; use one of/],
    ['unknown DD_SITE', ['integration', 'list'], { DD_SITE: 'datadog.invalid' }, /DD_SITE=datadog\.invalid: unknown Datadog site "datadog\.invalid"; use one of/],
    ['no keys at all', ['integration', 'list'], { DD_API_KEY: undefined, DD_APP_KEY: undefined }, /DD_API_KEY and DD_APP_KEY/],
    ['no DD_API_KEY', ['integration', 'list'], { DD_API_KEY: undefined }, /DD_API_KEY is not set/],
    ['no DD_APP_KEY', ['integration', 'namespaces'], { DD_APP_KEY: undefined }, /DD_APP_KEY is not set/],
    ['empty DD_API_KEY', ['integration', 'namespaces'], { DD_API_KEY: '' }, /DD_API_KEY/],
    ['host tag without a value', [...update, '--host-tag', 'team'], {}, /key:value/],
    ['host tag without a key', [...update, '--host-tag', ':platform'], {}, /key:value/],
    ['host tag with spaces around', [...update, '--host-tag', ' team:platform'], {}, /spaces/],
    ['filter tag without a value', [...update, '--filter-tag', '!env'], {}, /key:value/],
    ['excluded region that is no region', [...update, '--excluded-region', 'useast1'], {}, /AWS region/],
    ['excluded region in capitals', [...update, '--excluded-region', 'US-EAST-1'], {}, /AWS region/],
    ['namespace rule without a value', [...update, '--namespace', 'ec2'], {}, /NAMESPACE=true/],
    ['namespace rule not true/false', [...update, '--namespace', 'ec2=yes'], {}, /NAMESPACE=true/],
    ['unknown option', ['integration', 'list', '--colour'], {}, /unknown option '--colour'/],
    ['unknown global option', ['--verbose', 'integration', 'list'], {}, /unknown option '--verbose'/],
    ['unknown command', ['integration', 'frobnicate'], {}, /unknown command 'frobnicate'/],
    ['update with nothing to change', update, {}, /nothing to update/],
    ['update with only --json', [...update, '--json'], {}, /nothing to update/],
    ['--cspm with --no-resource-collection', [...update, '--cspm', '--no-resource-collection'], {}, /--cspm needs extended resource collection/],
    ['DD_API_URL over plain http to another host', ['integration', 'list'], { DD_API_URL: 'http://datadog.example.com' }, /DD_API_URL=http:\/\/datadog\.example\.com: must be an https:\/\/ URL/],
    ['config file missing', () => ['--config', '/nonexistent/dd-aws-org.json', 'integration', 'list'], {}, /cannot read config file \/nonexistent\/dd-aws-org\.json: no such file/],
    ['config file not JSON', () => ['--config', files.write('broken.json', '{"datadog": {'), 'integration', 'list'], {}, /is not valid JSON/],
    ['config file with an unknown top-level key', () => ['--config', files.write('unknown-top.json', { datadog: {}, colour: 'blue' }), 'integration', 'list'], {}, /unknown key "colour"/],
    ['config file with an unknown datadog key', () => ['--config', files.write('unknown-dd.json', { datadog: { apiKey: 'x' } }), 'integration', 'list'], {}, /datadog: unknown key "apiKey"/],
    ['config file with an unknown site', () => ['--config', files.write('bad-site.json', { datadog: { site: 'datadoghq.moon' } }), 'integration', 'list'], {}, /datadoghq\.moon/],
    // A config file that is JSON but not an object where one is expected is as unusable as one that is not JSON.
    ['config file whose "datadog" is a string', () => ['--config', files.write('dd-string.json', { datadog: 'datadoghq.eu' }), 'integration', 'list'], {}, /datadog/],
    ['config file that is a JSON array', () => ['--config', files.write('array.json', [{ datadog: { site: 'datadoghq.eu' } }]), 'integration', 'list'], {}, /array\.json/],
    ['config file with maxAttempts out of range', () => ['--config', files.write('bad-attempts.json', { datadog: { maxAttempts: 0 } }), 'integration', 'list'], {}, /maxAttempts/],
  ];

  it.each(cases)('%s', async (_name, args, envOverrides, stderrMatch) => {
    const run = await cli(typeof args === 'function' ? args() : args, envOverrides);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(stderrMatch);
    expect(standin.requests.length).toBe(0);
  });
});

describe('Datadog refusals and retries', () => {
  it('403 (wrong key): exit 1, names DD_API_KEY and DD_APP_KEY, no retry', async () => {
    const run = await cli(['integration', 'list'], { DD_API_KEY: 'not-the-right-api-key' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('403');
    expect(run.stderr).toContain('DD_API_KEY');
    expect(run.stderr).toContain('DD_APP_KEY');
    expect(run.stderr).toContain('aws_configuration_read');
    expect(run.stdout).toBe('');
    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]!.authorized).toBe(false);
  });

  it('429 then success: exit 0, one retry line on stderr, waits for X-RateLimit-Reset', async () => {
    standin.seed({ account_id: ACCOUNT_A, role_name: ROLE });
    standin.inject({ kind: 'status', status: 429, headers: { 'x-ratelimit-reset': '1' } });
    const run = await cli(['integration', 'list', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ accounts: [{ account_id: ACCOUNT_A, role_name: ROLE }] });
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(sourceLine(DEFAULTS).trimEnd());
    expect(lines[1]).toMatch(/^dd-aws-org: ListAWSAccounts failed: Datadog answered 429.*; retrying in 1\.\d s$/);
    expect(run.sleeps).toHaveLength(1);
    expect(run.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(run.sleeps[0]).toBeLessThanOrEqual(1250);
    expect(standin.requests).toHaveLength(2);
  });

  it('500 then success on a write: exit 0 after one retry', async () => {
    standin.inject({ kind: 'status', status: 500 });
    const run = await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/CreateAWSAccount failed: Datadog answered 500.*retrying in/);
    expect(JSON.parse(run.stdout)).toEqual({ external_id: standin.stored()[0]!.external_id });
  });

  it('connection reset then success: exit 0 after one retry', async () => {
    standin.inject({ kind: 'reset' });
    const run = await cli(['integration', 'namespaces', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr.slice(sourceLine(DEFAULTS).length)).toMatch(/^dd-aws-org: ListAvailableAWSNamespaces failed: cannot reach Datadog at .*; retrying in \d+\.\d s\n$/);
    expect(JSON.parse(run.stdout)).toEqual(STANDIN_NAMESPACES);
    expect(standin.requests).toHaveLength(2);
  });

  it('timeout (config requestTimeoutMs) with one attempt: exit 1, says how long it waited', async () => {
    const config = files.write('timeout.json', { datadog: { requestTimeoutMs: 1000, maxAttempts: 1 } });
    standin.inject({ kind: 'hang' });
    const run = await cli(['--config', config, 'integration', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ListAWSAccounts failed: Datadog did not answer within 1000 ms');
    expect(standin.requests).toHaveLength(1);
  });

  it('429 until the attempts run out: exit 1 after 5 attempts', async () => {
    standin.inject(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 429, headers: { 'x-ratelimit-reset': '2' } })));
    const run = await cli(['integration', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr.match(/retrying in/g)).toHaveLength(4);
    expect(run.stderr).toContain('(after 5 attempts)');
    expect(standin.requests).toHaveLength(5);
  });

  it('400 is not retried: exit 1 with Datadog\'s errors', async () => {
    standin.inject({ kind: 'status', status: 400, body: { errors: ['Invalid namespace: nope'] } });
    const run = await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--namespace', 'nope=true']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Invalid namespace: nope');
    expect(standin.requests).toHaveLength(1);
  });
});

describe('configuration sources', () => {
  const LIST_BODY = { accounts: [] };

  it('--config site sets the Datadog API host', async () => {
    const stub = stubFetch(LIST_BODY);
    const config = files.write('eu.json', { datadog: { site: 'datadoghq.eu' } });
    const run = await cli(['--config', config, 'integration', 'list'], { DD_API_URL: undefined }, { fetch: stub.fetch });
    expect(run.code).toBe(0);
    expect(stub.urls).toEqual(['https://api.datadoghq.eu/api/v1/integration/aws']);
  });

  it('DD_SITE wins over the config file, --site wins over DD_SITE', async () => {
    const config = files.write('eu2.json', { datadog: { site: 'datadoghq.eu' } });
    const byEnv = stubFetch(LIST_BODY);
    await cli(['--config', config, 'integration', 'list'], { DD_API_URL: undefined, DD_SITE: 'us5.datadoghq.com' }, { fetch: byEnv.fetch });
    expect(byEnv.urls).toEqual(['https://api.us5.datadoghq.com/api/v1/integration/aws']);

    const byFlag = stubFetch(LIST_BODY);
    const run = await cli(
      ['--config', config, '--site', 'ap1.datadoghq.com', 'integration', 'list'],
      { DD_API_URL: undefined, DD_SITE: 'us5.datadoghq.com' },
      { fetch: byFlag.fetch },
    );
    expect(run.code).toBe(0);
    expect(byFlag.urls).toEqual(['https://api.ap1.datadoghq.com/api/v1/integration/aws']);
  });

  it('global options are accepted after the subcommand too', async () => {
    const stub = stubFetch(LIST_BODY);
    const run = await cli(['integration', 'list', '--site', 'uk1.datadoghq.com'], { DD_API_URL: undefined }, { fetch: stub.fetch });
    expect(run.code).toBe(0);
    expect(stub.urls).toEqual(['https://api.uk1.datadoghq.com/api/v1/integration/aws']);
  });

  it('--site overrides an unusable DD_SITE (against the stand-in)', async () => {
    const run = await cli(['--site', 'datadoghq.eu', 'integration', 'list'], { DD_SITE: 'not-a-site' });
    expect(run.code).toBe(0);
    expect(standin.requests).toHaveLength(1);
  });

  it('the default site is datadoghq.com', async () => {
    const stub = stubFetch(LIST_BODY);
    await cli(['integration', 'list'], { DD_API_URL: undefined }, { fetch: stub.fetch });
    expect(stub.urls).toEqual(['https://api.datadoghq.com/api/v1/integration/aws']);
  });

  it('--config apiUrl and maxAttempts are used; DD_API_URL wins over the file', async () => {
    const config = files.write('standin.json', { datadog: { apiUrl: standin.url, maxAttempts: 1 } });
    standin.inject({ kind: 'status', status: 503 });
    const run = await cli(['--config', config, 'integration', 'namespaces'], { DD_API_URL: undefined });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('503');
    expect(run.stderr).not.toContain('retrying');
    expect(standin.requests).toHaveLength(1);

    const elsewhere = files.write('elsewhere.json', { datadog: { apiUrl: 'http://127.0.0.1:9' } });
    const byEnv = await cli(['--config', elsewhere, 'integration', 'namespaces']);
    expect(byEnv.code).toBe(0);
    expect(standin.requests).toHaveLength(2);
  });
});

describe('--secret-id', () => {
  const secretsClient = () => new SecretsManagerClient({ region: 'us-east-1' });

  it('reads the keys from Secrets Manager instead of the environment', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'datadog/keys' })
      .resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }) });
    const run = await runCliCollect(v1(['--secret-id', 'datadog/keys', 'integration', 'list']), {
      env: { DD_API_URL: standin.url },
      secretsManager: secretsClient,
    });
    expect(run).toMatchObject({ code: 0, stderr: sourceLine(DEFAULTS) });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]!.authorized).toBe(true);
  });

  it('a named secret wins over DD_API_KEY / DD_APP_KEY', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }) });
    const run = await cli(['--secret-id', 'datadog/keys', 'integration', 'namespaces'], {
      DD_API_KEY: 'stale-env-api-key',
      DD_APP_KEY: 'stale-env-app-key',
    });
    expect(run.code).toBe(0);
    expect(standin.requests[0]!.authorized).toBe(true);
  });

  it('the secret can be named in the config file', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'from-config' })
      .resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }) });
    const config = files.write('secret.json', { datadog: { credentialsSecretId: 'from-config' } });
    const run = await runCliCollect(v1(['--config', config, 'integration', 'list']), {
      env: { DD_API_URL: standin.url },
      secretsManager: secretsClient,
    });
    expect(run.code).toBe(0);
    expect(standin.requests[0]!.authorized).toBe(true);
  });

  it('a secret that does not exist: exit 2, nothing sent to Datadog', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('Secrets Manager can\'t find the specified secret.'), { name: 'ResourceNotFoundException' }));
    const run = await runCliCollect(v1(['--secret-id', 'missing/keys', 'integration', 'list']), {
      env: { DD_API_URL: standin.url },
      secretsManager: secretsClient,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"missing/keys"');
    expect(run.stderr).toContain('does not exist');
    expect(standin.requests).toHaveLength(0);
  });

  it('a secret without appKey: exit 2, nothing sent', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: API_KEY }) });
    const run = await cli(['--secret-id', 'half/keys', 'integration', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"appKey"');
    expect(standin.requests).toHaveLength(0);
  });

  it('403 with keys from a secret names the secret in the hint', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: 'wrong-secret-api', appKey: APP_KEY }) });
    const run = await cli(['--secret-id', 'wrong/keys', 'integration', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Secrets Manager secret "wrong/keys"');
  });
});
