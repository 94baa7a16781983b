import { PARTITION_REGIONS } from '../../lambda/domain/partition';
import type { AWSAccountResponseAttributes } from '../../lambda/datadog/v2/types';
import { V2_STANDIN_NAMESPACES } from '@datadog-aws-org-integration/standins/datadog-v2';
import { ACCOUNT_A, ACCOUNT_B, ROLE, standinSession } from './harness';

/**
 * `dd-aws-org integration ... --api-version v2` run in-process against the Datadog stand-in,
 * which serves v1 and v2 over one store: what is printed, what is sent, and the exit codes.
 */

const API_KEY = 'cliV2ApiKeyQh4Tz8Wm2Rb6';
const APP_KEY = 'cliV2AppKeyLs3Gv9Pn5Dx1Jc7';
const ACCOUNTS = '/api/v2/integration/aws/accounts';

const { standin, files, cli } = standinSession({ apiKey: API_KEY, appKey: APP_KEY });

const v2 = (...args: string[]) => cli(['integration', '--api-version', 'v2', ...args]);
const ref = ['--account-id', ACCOUNT_A, '--role-name', ROLE];
const writes = () => standin.requests.filter((request) => request.method !== 'GET');
const stored = (id: string) => standin.store.v2Stored().find((account) => account.id === id)!.attributes;

function seed(attributes: Partial<AWSAccountResponseAttributes> = {}): string {
  return standin.store.seedV2({
    aws_account_id: ACCOUNT_A,
    aws_partition: 'aws',
    auth_config: { role_name: ROLE, external_id: 'ext-seeded-a' },
    ...attributes,
  });
}

describe('--api-version', () => {
  it("defaults to the config's datadog.apiVersion", async () => {
    const config = files.write('v2.json', { datadog: { apiVersion: 'v2' } });
    const run = await cli(['--config', config, 'integration', 'list']);
    expect(run).toMatchObject({ code: 0, stdout: 'No AWS integrations match.\n' });
    expect(standin.requests.map((r) => r.path)).toEqual([ACCOUNTS]);
  });

  it('defaults to v2 without a config, and wins over the config either way', async () => {
    await cli(['integration', 'list']);
    const v1Config = files.write('v1b.json', { datadog: { apiVersion: 'v1' } });
    await cli(['--config', v1Config, 'integration', 'list', '--api-version', 'v2']);
    const v2Config = files.write('v2b.json', { datadog: { apiVersion: 'v2' } });
    await cli(['--config', v2Config, 'integration', 'list', '--api-version', 'v1']);
    expect(standin.requests.map((r) => r.path)).toEqual([ACCOUNTS, ACCOUNTS, '/api/v1/integration/aws']);
  });

  it('is accepted after the subcommand too, and shows in its help', async () => {
    expect((await cli(['integration', 'namespaces', '--api-version', 'v2'])).stdout).toBe(V2_STANDIN_NAMESPACES.join('\n') + '\n');
    expect((await cli(['integration', 'list', '--help'])).stdout).toContain('--api-version');
  });

  it('refuses another version with exit 2, sending nothing', async () => {
    const run = await cli(['integration', '--api-version', 'v3', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('v3');
    expect(standin.requests).toEqual([]);
  });
});

describe('integration list (v2)', () => {
  it('shows the v1 columns plus the external ID and the config ID', async () => {
    const id = seed({
      account_tags: ['team:platform'],
      aws_regions: { include_only: PARTITION_REGIONS.aws.filter((region) => region !== 'ap-south-1') },
      metrics_config: { tag_filters: [{ namespace: 'AWS/EC2', tags: ['datadog:monitored'] }], namespace_filters: { exclude_only: ['AWS/EC2'] } },
      resources_config: { cloud_security_posture_management_collection: true, extended_collection: true },
    });
    const run = await v2('list');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT ID\s+AUTH\s+METRICS\s+RESOURCES\s+CSPM\s+HOST TAGS\s+FILTER TAGS\s+EXCLUDED REGIONS\s+NAMESPACE RULES\s+EXTERNAL ID\s+CONFIG ID$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      ACCOUNT_A,
      `role ${ROLE}`,
      'on',
      'on',
      'on',
      'team:platform',
      'datadog:monitored',
      'ap-south-1',
      'AWS/EC2=off,AWS/SQS=on,AWS/ElasticMapReduce=on,AWS/Usage=on',
      'ext-seeded-a',
      id,
    ]);
    expect(lines[2]).toBe('1 integration');
  });

  it("shows namespace rules as overrides of Datadog's defaults: none for a default config", async () => {
    seed();
    const run = await v2('list');
    expect(run.stdout.split('\n')[1]!.split(/\s{2,}/)[8]).toBe('-');
  });

  it('filters by account on the server and by role name here', async () => {
    seed();
    seed({ auth_config: { role_name: 'OtherRole', external_id: 'ext-other' } });
    standin.store.seedV2({ aws_account_id: ACCOUNT_B, aws_partition: 'aws', auth_config: { role_name: ROLE } });
    const run = await v2('list', '--account-id', ACCOUNT_A, '--role-name', 'OtherRole', '--json');
    expect(standin.requests[0]).toMatchObject({ path: ACCOUNTS, query: { aws_account_id: ACCOUNT_A } });
    const body = JSON.parse(run.stdout) as { data: { attributes: AWSAccountResponseAttributes }[] };
    expect(body.data.map((d) => d.attributes.auth_config)).toEqual([{ role_name: 'OtherRole', external_id: 'ext-other' }]);
  });

  it("--json prints Datadog's body as it came", async () => {
    seed();
    const run = await v2('list', '--json');
    const body = JSON.parse(run.stdout) as { data: { id: string; type: string }[] };
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ type: 'account', attributes: { aws_account_id: ACCOUNT_A } });
  });
});

describe('integration create (v2)', () => {
  it('sends a JSON:API body with only the options given and prints the external ID', async () => {
    const run = await v2('create', ...ref, '--host-tag', 'env:prod', '--namespace', 'AWS/AutoScaling=false', '--cspm');
    expect(run.code).toBe(0);
    const post = writes()[0]!;
    expect(post).toMatchObject({ method: 'POST', path: ACCOUNTS });
    expect(post.body).toEqual({
      data: {
        type: 'account',
        attributes: {
          aws_account_id: ACCOUNT_A,
          aws_partition: 'aws',
          auth_config: { role_name: ROLE },
          account_tags: ['env:prod'],
          metrics_config: { namespace_filters: { exclude_only: ['AWS/AutoScaling', 'AWS/ElasticMapReduce', 'AWS/SQS', 'AWS/Usage'] } },
          resources_config: { extended_collection: true, cloud_security_posture_management_collection: true },
        },
      },
    });
    const auth = standin.store.v2Stored()[0]!.attributes.auth_config as { external_id: string };
    expect(run.stdout).toContain(`External ID: ${auth.external_id}\n`);
    // The same integration, seen through v1.
    expect(standin.stored()[0]).toMatchObject({ account_id: ACCOUNT_A, role_name: ROLE, account_specific_namespace_rules: { auto_scaling: false } });
  });

  it('takes --partition and turns --excluded-region into include_only over its known regions', async () => {
    await v2('create', ...ref, '--partition', 'aws-us-gov', '--excluded-region', 'us-gov-east-1');
    expect((writes()[0]!.body as { data: { attributes: AWSAccountResponseAttributes } }).data.attributes).toMatchObject({
      aws_partition: 'aws-us-gov',
      aws_regions: { include_only: ['us-gov-west-1'] },
    });
  });

  it('refuses a region the partition does not know, and v1 namespace keys, with exit 2', async () => {
    const region = await v2('create', ...ref, '--partition', 'aws-cn', '--excluded-region', 'us-east-1');
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('not a region of partition aws-cn');
    const key = await v2('create', ...ref, '--namespace', 'auto_scaling=false');
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('"auto_scaling" is a v1 namespace key');
    const v2Name = await cli(['integration', '--api-version', 'v1', 'create', ...ref, '--namespace', 'AWS/EC2=false']);
    expect(v2Name.code).toBe(2);
    expect(v2Name.stderr).toContain('"AWS/EC2" is a v2 (CloudWatch) namespace');
    expect(standin.requests).toEqual([]);
  });

  it('exits 1 on a duplicate (409)', async () => {
    seed();
    const run = await v2('create', ...ref);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/409|already/);
  });
});

describe('integration update (v2)', () => {
  it('PATCHes only the fields given, keeping what else is in metrics_config', async () => {
    const id = seed({ account_tags: ['keep:me'], metrics_config: { automute_enabled: false, tag_filters: [{ namespace: 'AWS/RDS', tags: ['a:b'] }] } });
    const run = await v2('update', ...ref, '--no-metrics', '--filter-tag', 'team:x', '--json');
    expect(run.code).toBe(0);
    const patch = writes()[0]!;
    expect(patch).toMatchObject({ method: 'PATCH', path: `${ACCOUNTS}/${id}` });
    expect(patch.body).toEqual({
      data: {
        id,
        type: 'account',
        attributes: {
          aws_account_id: ACCOUNT_A,
          metrics_config: {
            automute_enabled: false,
            enabled: false,
            tag_filters: [
              { namespace: 'AWS/RDS', tags: ['a:b'] },
              { namespace: 'AWS/EC2', tags: ['team:x'] },
            ],
          },
        },
      },
    });
    expect(stored(id).account_tags).toEqual(['keep:me']);
    expect(JSON.parse(run.stdout)).toMatchObject({ data: { id, attributes: { metrics_config: { enabled: false } } } });
  });

  it('says which fields changed', async () => {
    seed();
    const run = await v2('update', ...ref, '--host-tag', 'a:b', '--excluded-region', 'eu-west-1');
    expect(run.stdout).toBe(`Updated the AWS integration for account ${ACCOUNT_A} with role ${ROLE}: account_tags, aws_regions.\n`);
  });

  it('exits 2 with nothing to change, and 1 when the integration is unknown', async () => {
    expect((await v2('update', ...ref)).code).toBe(2);
    expect(standin.requests).toEqual([]);
    const run = await v2('update', ...ref, '--metrics');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no Datadog AWS integration for account ${ACCOUNT_A} with role ${ROLE}`);
    expect(writes()).toEqual([]);
  });
});

describe('integration delete (v2)', () => {
  it('finds the config ID and deletes it', async () => {
    const id = seed();
    const run = await v2('delete', ...ref, '--json');
    expect(run).toMatchObject({ code: 0, stdout: '{}\n' });
    expect(writes()).toEqual([expect.objectContaining({ method: 'DELETE', path: `${ACCOUNTS}/${id}` })]);
    expect(standin.stored()).toEqual([]);
  });
});

describe('integration namespaces (v2)', () => {
  it("--json prints Datadog's body", async () => {
    const run = await v2('namespaces', '--json');
    expect(JSON.parse(run.stdout)).toEqual({ data: { id: 'namespaces', type: 'namespaces', attributes: { namespaces: V2_STANDIN_NAMESPACES } } });
  });
});

describe('integration rotate-external-id (v2)', () => {
  it('mints an ID, PATCHes it into auth_config and prints it', async () => {
    const id = seed();
    const run = await v2('rotate-external-id', ...ref);
    expect(run.code).toBe(0);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/integration/aws/generate_new_external_id',
      `PATCH ${ACCOUNTS}/${id}`,
    ]);
    const auth = stored(id).auth_config as { external_id: string };
    expect(auth.external_id).not.toBe('ext-seeded-a');
    expect(run.stdout).toContain(`: ${auth.external_id}\n`);
    expect(standin.store.pendingExternalIds()).toEqual([]);
  });

  it('--json prints the PATCH response; an unknown integration mints nothing', async () => {
    const id = seed();
    const run = await v2('rotate-external-id', ...ref, '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({ data: { id, attributes: { auth_config: { role_name: ROLE } } } });
    standin.reset();
    expect((await v2('rotate-external-id', ...ref)).code).toBe(1);
    expect(writes()).toEqual([]);
  });
});
