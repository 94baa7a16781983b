import type { IntegrationRef, IntegrationSettings } from '../../lambda/datadog/port';
import { DatadogV1Integrations, fromV1Account } from '../../lambda/datadog/v1/adapter';
import { DatadogAwsV1Client } from '../../lambda/datadog/v1/client';
import { DatadogV2Integrations } from '../../lambda/datadog/v2/adapter';
import { PARTITION_REGIONS, normalizeNamespaceRulesV2 } from '../../lambda/datadog/v2/mapping';
import { DatadogAwsV2Client } from '../../lambda/datadog/v2/client';
import type { AWSAccountResponseData } from '../../lambda/datadog/v2/types';
import { API_KEY, APP_KEY, apiError, makeHttp } from '../support/datadog-http';
import { DatadogStandin, STANDIN_NAMESPACES } from '@datadog-aws-org-integration/standins/datadog';
import { EXTERNAL_ID_TTL_MS, NAMESPACE_TABLE, V2_STANDIN_NAMESPACES } from '@datadog-aws-org-integration/standins/datadog-v2';

/** One DatadogStandin, driven through the product's v1 and v2 clients and ports. */

const ACCOUNT = '123456789012';
const ROLE = 'DatadogIntegrationRole';
const REF: IntegrationRef = { accountId: ACCOUNT, roleName: ROLE };
const DEFAULT_EXCLUDED = ['AWS/SQS', 'AWS/ElasticMapReduce', 'AWS/Usage'];

const START = Date.parse('2026-11-24T00:00:00Z');
let clock = START;
const standin = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY, now: () => clock });
/** The product's clients and ports, both over the one stand-in. */
let v1: DatadogAwsV1Client;
let v2: DatadogAwsV2Client;
let port1: DatadogV1Integrations;
let port2: DatadogV2Integrations;

beforeAll(async () => {
  await standin.start();
  v1 = new DatadogAwsV1Client(makeHttp(standin.url).http);
  v2 = new DatadogAwsV2Client(makeHttp(standin.url).http);
  [port1, port2] = [new DatadogV1Integrations(v1), new DatadogV2Integrations(v2)];
});
afterAll(() => standin.stop());
beforeEach(() => {
  standin.reset();
  clock = START;
});

const only = async (): Promise<AWSAccountResponseData> => {
  const { data } = await v2.listAccounts();
  expect(data).toHaveLength(1);
  return data[0]!;
};
const v1Only = async () => {
  const { accounts } = await v1.listAccounts();
  expect(accounts).toHaveLength(1);
  return accounts![0]!;
};
const roleCreate = (extra: Record<string, unknown> = {}) => ({
  data: { type: 'account' as const, attributes: { aws_account_id: ACCOUNT, aws_partition: 'aws' as const, auth_config: { role_name: ROLE }, ...extra } },
});
const patch = (id: string, attributes: Record<string, unknown>) =>
  v2.updateAccount(id, { data: { id, type: 'account', attributes: { aws_account_id: ACCOUNT, ...attributes } } });

describe('namespace table', () => {
  it('maps every v1 key to one CloudWatch name; AWS/Usage is v2-only', () => {
    expect(STANDIN_NAMESPACES).toHaveLength(V2_STANDIN_NAMESPACES.length - 1);
    expect(new Set(NAMESPACE_TABLE.map(([, cw]) => cw))).toEqual(new Set(V2_STANDIN_NAMESPACES));
    expect(NAMESPACE_TABLE.filter(([key]) => !key).map(([, cw]) => cw)).toEqual(['AWS/Usage']);
    expect(NAMESPACE_TABLE).toEqual(expect.arrayContaining([['elb', 'AWS/ELB'], ['network_elb', 'AWS/NetworkELB'], ['auto_scaling', 'AWS/AutoScaling']]));
  });

  it('serves both lists from one stand-in', async () => {
    await expect(v1.listAvailableNamespaces()).resolves.toEqual(STANDIN_NAMESPACES);
    await expect(port2.listNamespaces()).resolves.toEqual(V2_STANDIN_NAMESPACES);
  });
});

describe('identity and external ID', () => {
  it('v1 create -> v2 list/get: a stable UUID, partition aws, auth_config with the external ID v1 returned', async () => {
    const { external_id } = await v1.createAccount({ account_id: ACCOUNT, role_name: ROLE });
    const listed = await only();
    expect(listed.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(listed.attributes).toMatchObject({ aws_account_id: ACCOUNT, aws_partition: 'aws', auth_config: { role_name: ROLE, external_id } });
    await v1.updateAccount({ accountId: ACCOUNT, roleName: ROLE }, { account_id: ACCOUNT, role_name: ROLE, host_tags: ['a:b'] });
    const got = await v2.getAccount(listed.id);
    expect(got.data.id).toBe(listed.id);
    expect(got.data.attributes?.account_tags).toEqual(['a:b']);
  });

  it('v2 create (generated ID, or one minted first) -> listed by v1 without the external ID', async () => {
    const generated = await v2.createAccount(roleCreate());
    const minted = (await v2.createNewExternalId()).data.attributes!.external_id;
    await v2.createAccount({ data: { ...roleCreate().data, attributes: { ...roleCreate().data.attributes, auth_config: { role_name: 'Other', external_id: minted } } } });
    const { accounts } = await v1.listAccounts({ accountId: ACCOUNT });
    expect(accounts?.map((a) => a.role_name)).toEqual([ROLE, 'Other']);
    expect(JSON.stringify(accounts)).not.toContain(minted);
    expect(standin.stored().map((a) => a.external_id)).toEqual([(generated.data.attributes!.auth_config as { external_id: string }).external_id, minted]);
    expect(standin.store.pendingExternalIds()).toEqual([]);
  });

  it('a v2-created integration without an external ID has none in v1 either', async () => {
    standin.store.generateExternalIdOnCreate = false;
    await v2.createAccount(roleCreate());
    expect(standin.stored()[0]!.external_id).toBeUndefined();
    standin.reset();
    expect(standin.store.generateExternalIdOnCreate).toBe(true);
  });

  it('rotation via v1 is what v2 reads; rotation via v2 (mint + PATCH) is what v1 rotates from', async () => {
    const { externalId: created } = await port1.createIntegration(REF, settingsV1());
    const { externalId: rotatedV1 } = await port1.rotateExternalId(REF);
    expect(rotatedV1).not.toBe(created);
    expect((await port2.listIntegrations())[0]!.externalId).toBe(rotatedV1);

    const { externalId: rotatedV2 } = await port2.rotateExternalId(REF);
    expect(rotatedV2).not.toBe(rotatedV1);
    expect(standin.stored()[0]!.external_id).toBe(rotatedV2);
    expect(standin.store.v2Stored()[0]!.attributes.auth_config).toEqual({ role_name: ROLE, external_id: rotatedV2 });
    expect(standin.store.pendingExternalIds()).toEqual([]);
  });

  it('an external ID minted through v2 expires after 48 hours, also for a v1-created integration', async () => {
    await v1.createAccount({ account_id: ACCOUNT, role_name: ROLE });
    const { id } = await only();
    const minted = (await v2.createNewExternalId()).data.attributes!.external_id;
    clock += EXTERNAL_ID_TTL_MS + 1;
    const error = await apiError(() => patch(id, { auth_config: { role_name: ROLE, external_id: minted } }));
    expect(error.status).toBe(400);
  });

  it('409 on the same account + role, whichever API created it', async () => {
    await port2.createIntegration(REF, settingsV1());
    await port2.rotateExternalId(REF);
    expect((await apiError(() => port1.createIntegration(REF, settingsV1()))).kind).toBe('conflict');
    standin.reset();
    await port1.createIntegration(REF, settingsV1());
    expect((await apiError(() => port2.createIntegration(REF, settingsV1()))).status).toBe(409);
  });

  it('delete via either removes it from both', async () => {
    await port1.createIntegration(REF, settingsV1());
    await port2.deleteIntegration(REF);
    expect(await port1.listIntegrations()).toEqual([]);
    await port2.createIntegration(REF, settingsV1());
    await port1.deleteIntegration(REF);
    expect(await port2.listIntegrations()).toEqual([]);
    expect(standin.store.v2Stored()).toEqual([]);
  });

  it('a v1 access-key integration without account_id is invisible to v2', async () => {
    standin.seed({ access_key_id: 'AKIAEXAMPLE', secret_access_key: 'shh' });
    expect(standin.stored()).toHaveLength(1);
    expect((await v2.listAccounts()).data).toEqual([]);
  });
});

describe('field mapping', () => {
  it('v1 fields read through v2', async () => {
    await v1.createAccount({
      account_id: ACCOUNT,
      role_name: ROLE,
      host_tags: ['team:a'],
      filter_tags: ['env:prod'],
      excluded_regions: ['us-east-1', 'eu-west-3'],
      metrics_collection_enabled: false,
      cspm_resource_collection_enabled: true,
      extended_resource_collection_enabled: true,
    });
    const { attributes } = await only();
    expect(attributes).toMatchObject({
      account_tags: ['team:a'],
      aws_regions: { include_only: PARTITION_REGIONS.aws.filter((r) => r !== 'us-east-1' && r !== 'eu-west-3') },
      metrics_config: { enabled: false, tag_filters: [{ namespace: 'AWS/EC2', tags: ['env:prod'] }] },
      resources_config: { cloud_security_posture_management_collection: true, extended_collection: true },
    });
  });

  it('no exclusions -> include_all; extended collection absent in v1 reads as false in v2', async () => {
    await v1.createAccount({ account_id: ACCOUNT, role_name: ROLE, excluded_regions: [] });
    const { attributes } = await only();
    expect(attributes?.aws_regions).toEqual({ include_all: true });
    expect(attributes?.resources_config).toEqual({ extended_collection: false });
  });

  it('v2 fields read through v1; extended collection absent in v2 reads as true in v1', async () => {
    await v2.createAccount(
      roleCreate({
        account_tags: ['team:b'],
        aws_regions: { include_only: ['us-east-1', 'eu-west-1'] },
        metrics_config: { enabled: true, tag_filters: [{ namespace: 'AWS/EC2', tags: ['k:v'] }, { namespace: 'AWS/RDS', tags: ['db:yes'] }] },
      }),
    );
    const account = await v1Only();
    expect(account).toEqual({
      account_id: ACCOUNT,
      role_name: ROLE,
      host_tags: ['team:b'],
      filter_tags: ['k:v'],
      excluded_regions: PARTITION_REGIONS.aws.filter((r) => r !== 'us-east-1' && r !== 'eu-west-1'),
      metrics_collection_enabled: true,
      extended_resource_collection_enabled: true,
    });
  });

  it('a v1 update keeps what only v2 has (logs, traces, other tag filters, automute)', async () => {
    await v2.createAccount(
      roleCreate({
        logs_config: { lambda_forwarder: { lambdas: ['arn:aws:lambda:us-east-1:123456789012:function:fwd'] } },
        traces_config: { xray_services: { include_all: true } },
        metrics_config: { automute_enabled: false, tag_filters: [{ namespace: 'AWS/RDS', tags: ['db:yes'] }] },
      }),
    );
    await port1.updateIntegration(REF, settingsV1({ filterTags: ['env:prod'], hostTags: ['t:1'] }));
    const { attributes } = await only();
    expect(attributes).toMatchObject({
      account_tags: ['t:1'],
      logs_config: { lambda_forwarder: { lambdas: ['arn:aws:lambda:us-east-1:123456789012:function:fwd'] } },
      traces_config: { xray_services: { include_all: true } },
      metrics_config: {
        automute_enabled: false,
        tag_filters: [
          { namespace: 'AWS/RDS', tags: ['db:yes'] },
          { namespace: 'AWS/EC2', tags: ['env:prod'] },
        ],
      },
    });
  });

  it('a v2 PATCH replaces each attribute it sends and v1 reads the result', async () => {
    await v1.createAccount({ account_id: ACCOUNT, role_name: ROLE, host_tags: ['old'], filter_tags: ['f:1'], metrics_collection_enabled: false });
    const { id } = await only();
    await patch(id, { account_tags: ['new'], metrics_config: { enabled: true } });
    expect(await v1Only()).toEqual({ account_id: ACCOUNT, role_name: ROLE, host_tags: ['new'], metrics_collection_enabled: true });
  });
});

describe('namespaces: one stored form, two views', () => {
  it('v1 rules are overrides; v2 shows the effective exclusions', async () => {
    await v1.createAccount({ account_id: ACCOUNT, role_name: ROLE, account_specific_namespace_rules: { ec2: false, sqs: true, opsworks: false } });
    const { attributes } = await only();
    // defaults (SQS, EMR, Usage) + ec2 false - sqs true; opsworks has no CloudWatch name here
    expect(attributes?.metrics_config?.namespace_filters).toEqual({ exclude_only: ['AWS/ElasticMapReduce', 'AWS/Usage', 'AWS/EC2'] });
    expect((await v1Only()).account_specific_namespace_rules).toEqual({ ec2: false, sqs: true, opsworks: false });
  });

  it('v2 exclude_only -> v1 sees only the overrides of the defaults', async () => {
    await v2.createAccount(roleCreate({ metrics_config: { namespace_filters: { exclude_only: ['AWS/SQS', 'AWS/Lambda'] } } }));
    // ElasticMapReduce and Usage are not excluded any more: overridden true; Usage has no v1 key.
    expect((await v1Only()).account_specific_namespace_rules).toEqual({ lambda: false, elasticmapreduce: true });
    expect((await only()).attributes?.metrics_config?.namespace_filters).toEqual({ exclude_only: ['AWS/SQS', 'AWS/Lambda'] });
  });

  it('v2 include_only -> v1 shows every mapped namespace: true if included, false if not', async () => {
    await v2.createAccount(roleCreate({ metrics_config: { namespace_filters: { include_only: ['AWS/EC2', 'AWS/Usage'] } } }));
    const rules = (await v1Only()).account_specific_namespace_rules!;
    expect(Object.keys(rules).sort()).toEqual(STANDIN_NAMESPACES);
    expect(Object.entries(rules).filter(([, on]) => on)).toEqual([['ec2', true]]);
  });

  it('a v1 PUT with rules replaces a v2 include_only; a v2 PATCH replaces v1 rules', async () => {
    await v2.createAccount(roleCreate({ metrics_config: { namespace_filters: { include_only: ['AWS/EC2'] } } }));
    const { id } = await only();
    await v1.updateAccount({ accountId: ACCOUNT, roleName: ROLE }, { account_id: ACCOUNT, role_name: ROLE, account_specific_namespace_rules: { elb: false } });
    expect((await only()).attributes?.metrics_config?.namespace_filters).toEqual({ exclude_only: [...DEFAULT_EXCLUDED, 'AWS/ELB'] });
    await patch(id, { metrics_config: { namespace_filters: { exclude_only: [] } } });
    expect((await v1Only()).account_specific_namespace_rules).toEqual({ sqs: true, elasticmapreduce: true });
    await patch(id, { metrics_config: {} });
    expect(await v1Only()).not.toHaveProperty('account_specific_namespace_rules');
  });
});

describe("the two ports agree on one stored integration (after v2's normalisation)", () => {
  /**
   * How they may differ, exactly: excludedRegions through v2 come in PARTITION_REGIONS order
   * (a region not in that list drops out); namespaceRules through v1 are keyed by v1 rule key
   * (ec2) and through v2 by CloudWatch name (AWS/EC2), and v2's are what the product's own
   * normalizeNamespaceRulesV2 makes of v1's once the keys are translated (a v1 key without a
   * CloudWatch name, e.g. opsworks, has no v2 counterpart). Every other field is equal.
   */
  const asV2 = (settings: IntegrationSettings): IntegrationSettings => {
    const byKey = new Map(NAMESPACE_TABLE.flatMap(([key, cw]) => (key ? [[key, cw] as const] : [])));
    const translated = Object.entries(settings.namespaceRules).flatMap(([key, on]) => (byKey.has(key) ? [[byKey.get(key)!, on] as const] : []));
    return {
      ...settings,
      excludedRegions: PARTITION_REGIONS.aws.filter((r) => settings.excludedRegions.includes(r)),
      namespaceRules: normalizeNamespaceRulesV2(Object.fromEntries(translated)),
    };
  };

  it.each<[string, Partial<IntegrationSettings>]>([
    ['defaults', {}],
    ['every field', { hostTags: ['team:x'], filterTags: ['env:prod'], excludedRegions: ['us-west-2', 'ap-east-1'], namespaceRules: { auto_scaling: false, sqs: true }, metricsCollection: false, cspmResourceCollection: true, extendedResourceCollection: true }],
  ])('created through v1: %s', async (_name, overrides) => {
    const settings = settingsV1(overrides);
    await port1.createIntegration(REF, settings);
    const [through1] = await port1.listIntegrations();
    const [through2] = await port2.listIntegrations();
    expect(through1!.settings).toEqual(settings);
    expect(through2!.settings).toEqual(asV2(through1!.settings));
    expect(through2!.externalId).toBeDefined();
  });

  it('created through v2 (and updated through v1): v1 reads the same settings, rules by v1 key', async () => {
    const settings = settingsV1({ hostTags: ['team:y'], filterTags: ['a:b'], excludedRegions: ['eu-west-1'], namespaceRules: { 'AWS/SQS': false, 'AWS/EC2': false }, extendedResourceCollection: true });
    await port2.createIntegration(REF, settings);
    let [through1] = await port1.listIntegrations();
    let [through2] = await port2.listIntegrations();
    expect(Object.keys(through1!.settings.namespaceRules).every((key) => STANDIN_NAMESPACES.includes(key))).toBe(true);
    expect(through2!.settings).toEqual(asV2(through1!.settings));

    await port1.updateIntegration(REF, { ...through1!.settings, hostTags: ['team:z'], namespaceRules: { lambda: false } });
    [through1] = await port1.listIntegrations();
    [through2] = await port2.listIntegrations();
    expect(through1!.settings.namespaceRules).toEqual({ lambda: false });
    expect(through2!.settings).toEqual(asV2(through1!.settings));
  });
});

/** Datadog's defaults as the product's v1 port reads a bare integration, with overrides. */
function settingsV1(overrides: Partial<IntegrationSettings> = {}): IntegrationSettings {
  return { ...fromV1Account({ account_id: ACCOUNT, role_name: ROLE })!.settings, ...overrides };
}
