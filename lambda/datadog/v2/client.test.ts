import { InputError } from '../../domain/errors';
import type { IntegrationRef, IntegrationSettings } from '../port';
import { DatadogV2Integrations } from './adapter';
import {
  PARTITION_REGIONS,
  V2_DEFAULT_EXCLUDED_NAMESPACES,
  filtersFromRules,
  fromV2Account,
  normalizeNamespaceRulesV2,
  rulesFromFilters,
  settingsAsV2Reads,
  toV2Attributes,
  toV2CreateRequest,
  type V2Integration,
} from './mapping';
import { DatadogAwsV2Client } from './client';
import { createIntegrationPort, createV2Client } from '../factory';
import { parseConfig } from '../../config/schema';
import type { AWSAccountCreateRequest, AWSAccountResponseAttributes, AWSAccountResponseData } from './types';
import {
  DatadogV2Standin,
  EXTERNAL_ID_TTL_MS,
  V2_STANDIN_IAM_ALL,
  V2_STANDIN_IAM_RESOURCE_COLLECTION,
  V2_STANDIN_IAM_STANDARD,
  V2_STANDIN_NAMESPACES,
} from '@datadog-aws-org-integration/standins/datadog-v2';
import { API_KEY, APP_KEY, apiError, caught, makeHttp } from '../../../test/support/datadog-http';

const PATH = '/api/v2/integration/aws';
const ROLE = 'DatadogIntegrationRole';
const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const REF: IntegrationRef = { accountId: ACCOUNT, roleName: ROLE };

let clock = Date.parse('2026-11-24T00:00:00Z');
const standin = new DatadogV2Standin({ apiKey: API_KEY, appKey: APP_KEY, now: () => clock });
let client: DatadogAwsV2Client;

beforeAll(() => standin.start());
afterAll(() => standin.stop());
beforeEach(() => {
  standin.reset();
  clock = Date.parse('2026-11-24T00:00:00Z');
  client = new DatadogAwsV2Client(makeHttp(standin.url).http);
});

const createBody = (accountId = ACCOUNT, roleName = ROLE): AWSAccountCreateRequest => ({
  data: { type: 'account', attributes: { aws_account_id: accountId, aws_partition: 'aws', auth_config: { role_name: roleName } } },
});

describe('DatadogAwsV2Client', () => {
  describe('ListAWSAccounts', () => {
    it('lists all, or filters by aws_account_id, and returns external IDs', async () => {
      standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: 'ext-1' } }, 'id-1');
      standin.seed({ aws_account_id: OTHER, auth_config: { access_key_id: 'AKIAEXAMPLE', secret_access_key: 'shh' } }, 'id-2');

      const all = await client.listAccounts();
      const one = await client.listAccounts({ awsAccountId: ACCOUNT });

      expect(all.data.map((d) => d.id)).toEqual(['id-1', 'id-2']);
      expect(all.data[1]!.attributes!.auth_config).toEqual({ access_key_id: 'AKIAEXAMPLE' });
      expect(one.data).toEqual([{ id: 'id-1', type: 'account', attributes: { aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: 'ext-1' } } }]);
      expect(standin.requests.map((r) => [r.method, r.path, r.query])).toEqual([
        ['GET', `${PATH}/accounts`, {}],
        ['GET', `${PATH}/accounts`, { aws_account_id: ACCOUNT }],
      ]);
    });

    it('rejects a malformed account ID before any request', async () => {
      expect(await caught(() => client.listAccounts({ awsAccountId: '1234-5678-9012' }))).toBeInstanceOf(InputError);
      expect(standin.requests).toHaveLength(0);
    });

    it('403 with wrong keys, naming the permission', async () => {
      const bad = new DatadogAwsV2Client(makeHttp(standin.url, { credentials: async () => ({ apiKey: 'wrong-key-1234', appKey: APP_KEY }) }).http);
      const error = await apiError(() => bad.listAccounts());
      expect(error).toMatchObject({ kind: 'forbidden', status: 403, operation: 'ListAWSAccounts', attempts: 1 });
      expect(error.message).toContain('aws_configuration_read');
    });

    it('429 is retried, honouring X-RateLimit-Reset', async () => {
      standin.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '2', 'X-RateLimit-Name': 'aws' } });
      const harness = makeHttp(standin.url);
      const response = await new DatadogAwsV2Client(harness.http).listAccounts();
      expect(response.data).toEqual([]);
      expect(harness.sleeps).toEqual([2000 + 125]);
    });
  });

  describe('CreateAWSAccount', () => {
    it('creates a config with a UUID and a Datadog-generated external ID', async () => {
      const response = await client.createAccount(createBody());
      expect(response.data).toMatchObject({ type: 'account', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(response.data.attributes!.auth_config).toEqual({ role_name: ROLE, external_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(standin.requests[0]).toMatchObject({ method: 'POST', path: `${PATH}/accounts`, body: createBody(), authorized: true });
    });

    it('409 on a duplicate account + role, not retried; another role is fine', async () => {
      await client.createAccount(createBody());
      const error = await apiError(() => client.createAccount(createBody()));
      expect(error).toMatchObject({ kind: 'conflict', status: 409, operation: 'CreateAWSAccount', attempts: 1 });
      await client.createAccount(createBody(ACCOUNT, 'OtherRole'));
      expect(standin.stored()).toHaveLength(2);
    });

    it('400 for a body Datadog rejects (CSPM without extended collection)', async () => {
      const body = createBody();
      body.data.attributes.resources_config = { cloud_security_posture_management_collection: true, extended_collection: false };
      expect(await apiError(() => client.createAccount(body))).toMatchObject({ kind: 'bad-request', status: 400 });
    });

    it.each([
      ['a short account ID', createBody('12345')],
      ['no role name', createBody(ACCOUNT, ' ')],
      ['no attributes', { data: { type: 'account' } } as unknown as AWSAccountCreateRequest],
    ])('rejects %s before any request', async (_name, body) => {
      expect(await caught(() => client.createAccount(body))).toBeInstanceOf(InputError);
      expect(standin.requests).toHaveLength(0);
    });
  });

  describe('GetAWSAccount, UpdateAWSAccount, DeleteAWSAccount', () => {
    it('gets by config ID; 404 for an unknown one', async () => {
      const id = standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: 'e' } });
      expect((await client.getAccount(id)).data).toMatchObject({ id, attributes: { aws_account_id: ACCOUNT } });
      expect(await apiError(() => client.getAccount('00000000-0000-0000-0000-000000000000'))).toMatchObject({
        kind: 'not-found',
        status: 404,
        operation: 'GetAWSAccount',
      });
    });

    it('PATCH changes only what is sent', async () => {
      const id = standin.seed({ aws_account_id: ACCOUNT, account_tags: ['a:b'], auth_config: { role_name: ROLE, external_id: 'e' } });
      const response = await client.updateAccount(id, { data: { id, type: 'account', attributes: { aws_account_id: ACCOUNT, metrics_config: { enabled: false } } } });
      expect(response.data.attributes).toMatchObject({ account_tags: ['a:b'], metrics_config: { enabled: false }, auth_config: { external_id: 'e' } });
      expect(standin.requests[0]).toMatchObject({ method: 'PATCH', path: `${PATH}/accounts/${id}` });
    });

    it('PATCH of an unknown config ID: 404; bad input rejected before any request', async () => {
      const body = { data: { type: 'account' as const, attributes: { aws_account_id: ACCOUNT } } };
      expect(await apiError(() => client.updateAccount('nope', body))).toMatchObject({ kind: 'not-found', operation: 'UpdateAWSAccount' });
      expect(await caught(() => client.updateAccount('', body))).toBeInstanceOf(InputError);
      expect(await caught(() => client.updateAccount('x', { data: { type: 'account', attributes: { aws_account_id: '1' } } }))).toBeInstanceOf(InputError);
      expect(standin.requests).toHaveLength(1);
    });

    it('DELETE answers 204 (resolves to undefined); then 404', async () => {
      const id = standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE } });
      await expect(client.deleteAccount(id)).resolves.toBeUndefined();
      expect(standin.stored()).toEqual([]);
      expect(await apiError(() => client.deleteAccount(id))).toMatchObject({ kind: 'not-found', status: 404, operation: 'DeleteAWSAccount' });
    });

    it('a config ID is path-encoded', async () => {
      await caught(() => client.getAccount('a/b?c'));
      expect(standin.requests[0]!.path).toBe(`${PATH}/accounts/a%2Fb%3Fc`);
    });
  });

  describe('other reads and generate_new_external_id', () => {
    it('ListAWSNamespaces', async () => {
      expect((await client.listNamespaces()).data.attributes!.namespaces).toEqual(V2_STANDIN_NAMESPACES);
    });

    it('CreateNewAWSExternalID: POST with no body', async () => {
      const response = await client.createNewExternalId();
      expect(response.data).toEqual({ id: 'external_id', type: 'external_id', attributes: { external_id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
      expect(standin.requests[0]).toMatchObject({ method: 'POST', path: `${PATH}/generate_new_external_id`, text: '' });
    });

    it.each([
      ['getIamPermissions', `${PATH}/iam_permissions`, V2_STANDIN_IAM_ALL],
      ['getIamPermissionsStandard', `${PATH}/iam_permissions/standard`, V2_STANDIN_IAM_STANDARD],
      ['getIamPermissionsResourceCollection', `${PATH}/iam_permissions/resource_collection`, V2_STANDIN_IAM_RESOURCE_COLLECTION],
    ] as const)('%s', async (method, path, expected) => {
      const response = await client[method]();
      expect(response.data).toEqual({ id: 'permissions', type: 'permissions', attributes: { permissions: expected } });
      expect(standin.requests[0]).toMatchObject({ method: 'GET', path });
    });

    it.each(['listNamespaces', 'createNewExternalId', 'getIamPermissionsStandard'] as const)('%s: 429 with one attempt surfaces rate limits', async (method) => {
      standin.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '9', 'X-RateLimit-Limit': '10' } });
      const one = new DatadogAwsV2Client(makeHttp(standin.url, { maxAttempts: 1 }).http);
      expect(await apiError(() => one[method]())).toMatchObject({ kind: 'rate-limited', status: 429, rateLimit: { reset: 9, limit: 10 } });
    });
  });

  describe('faults', () => {
    it('5xx then success is retried', async () => {
      standin.inject({ kind: 'status', status: 503 });
      expect((await client.listAccounts()).data).toEqual([]);
      expect(standin.requests).toHaveLength(2);
    });

    it('a reset connection is a network error after every attempt', async () => {
      standin.inject({ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' });
      expect(await apiError(() => client.getIamPermissions())).toMatchObject({ kind: 'network', attempts: 3 });
    });

    it('a hang is a timeout', async () => {
      standin.inject({ kind: 'hang' });
      const slow = new DatadogAwsV2Client(makeHttp(standin.url, { timeoutMs: 200, maxAttempts: 1 }).http);
      expect(await apiError(() => slow.listNamespaces())).toMatchObject({ kind: 'timeout', operation: 'ListAWSNamespaces' });
    });

    it('a delay shorter than the timeout still answers', async () => {
      standin.inject({ kind: 'delay', ms: 50 });
      expect((await client.listNamespaces()).data.type).toBe('namespaces');
    });
  });
});

const DEFAULTS: IntegrationSettings = {
  hostTags: [],
  filterTags: [],
  excludedRegions: [],
  namespaceRules: {},
  metricsCollection: true,
  cspmResourceCollection: false,
  extendedResourceCollection: false,
};
const FULL: IntegrationSettings = {
  hostTags: ['team:platform', 'env:prod'],
  filterTags: ['datadog:monitored', '!env:dev*'],
  excludedRegions: ['ap-east-1', 'me-south-1'],
  namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/Lambda': false, 'AWS/SQS': false, 'AWS/Usage': false },
  metricsCollection: false,
  cspmResourceCollection: true,
  extendedResourceCollection: true,
};
const ALL_BUT = (...out: string[]) => PARTITION_REGIONS.aws.filter((r) => !out.includes(r));

describe('mapping: settings -> v2 (toV2Attributes)', () => {
  it.each<[string, IntegrationSettings, ReturnType<typeof toV2Attributes>]>([
    [
      'defaults',
      DEFAULTS,
      {
        account_tags: [],
        aws_regions: { include_all: true },
        metrics_config: { enabled: true, namespace_filters: { exclude_only: ['AWS/ElasticMapReduce', 'AWS/SQS', 'AWS/Usage'] }, tag_filters: [] },
        resources_config: { cloud_security_posture_management_collection: false, extended_collection: false },
      },
    ],
    [
      'every field',
      FULL,
      {
        account_tags: ['team:platform', 'env:prod'],
        aws_regions: { include_only: ALL_BUT('ap-east-1', 'me-south-1') },
        metrics_config: {
          enabled: false,
          namespace_filters: { exclude_only: ['AWS/ElasticMapReduce', 'AWS/Lambda', 'AWS/SQS', 'AWS/Usage'] },
          tag_filters: [{ namespace: 'AWS/EC2', tags: ['datadog:monitored', '!env:dev*'] }],
        },
        resources_config: { cloud_security_posture_management_collection: true, extended_collection: true },
      },
    ],
    [
      'rules are overrides of Datadog\'s default exclusions, sent as exclude_only (never include_only)',
      { ...DEFAULTS, namespaceRules: { 'AWS/EC2': false, 'AWS/SQS': true } },
      {
        account_tags: [],
        aws_regions: { include_all: true },
        metrics_config: { enabled: true, namespace_filters: { exclude_only: ['AWS/EC2', 'AWS/ElasticMapReduce', 'AWS/Usage'] }, tag_filters: [] },
        resources_config: { cloud_security_posture_management_collection: false, extended_collection: false },
      },
    ],
  ])('%s', (_name, settings, expected) => {
    expect(toV2Attributes(settings)).toEqual(expected);
  });

  it('keeps what the port does not own from the current config', () => {
    const current: AWSAccountResponseAttributes = {
      aws_account_id: ACCOUNT,
      metrics_config: {
        automute_enabled: false,
        collect_custom_metrics: true,
        tag_filters: [{ namespace: 'AWS/RDS', tags: ['db:yes'] }, { namespace: 'AWS/EC2', tags: ['old:1'] }],
      },
      resources_config: { extended_collection: true },
    };
    const out = toV2Attributes(FULL, PARTITION_REGIONS.aws, current);
    expect(out.metrics_config).toEqual({
      automute_enabled: false,
      collect_custom_metrics: true,
      enabled: false,
      namespace_filters: { exclude_only: ['AWS/ElasticMapReduce', 'AWS/Lambda', 'AWS/SQS', 'AWS/Usage'] },
      tag_filters: [{ namespace: 'AWS/RDS', tags: ['db:yes'] }, { namespace: 'AWS/EC2', tags: ['datadog:monitored', '!env:dev*'] }],
    });
  });

  it('GovCloud create request: partition and its regions', () => {
    const body = toV2CreateRequest(REF, { ...DEFAULTS, excludedRegions: ['us-gov-east-1'] }, 'aws-us-gov');
    expect(body.data.attributes).toMatchObject({ aws_partition: 'aws-us-gov', auth_config: { role_name: ROLE }, aws_regions: { include_only: ['us-gov-west-1'] } });
    expect(body.data.attributes.auth_config).not.toHaveProperty('external_id');
  });
});

describe('mapping: v2 -> Integration (fromV2Account)', () => {
  const data = (attributes: AWSAccountResponseAttributes | undefined): AWSAccountResponseData => ({ id: 'cfg-1', type: 'account', attributes });

  it.each<[string, AWSAccountResponseAttributes | undefined, V2Integration | undefined]>([
    [
      'bare role config: Datadog v2 defaults (extended on, default namespace exclusions)',
      { aws_account_id: ACCOUNT, auth_config: { role_name: ROLE } },
      {
        configId: 'cfg-1',
        accountId: ACCOUNT,
        auth: { kind: 'role', roleName: ROLE },
        settings: {
          ...DEFAULTS,
          extendedResourceCollection: true,
          namespaceRules: Object.fromEntries(V2_DEFAULT_EXCLUDED_NAMESPACES.map((n) => [n, false])),
        },
      },
    ],
    [
      'every field, external ID and partition',
      {
        aws_account_id: ACCOUNT,
        aws_partition: 'aws',
        auth_config: { role_name: ROLE, external_id: 'ext-9' },
        account_tags: ['team:platform', 'env:prod'],
        aws_regions: { include_only: ALL_BUT('ap-east-1', 'me-south-1') },
        metrics_config: {
          enabled: false,
          namespace_filters: { exclude_only: ['AWS/ElasticMapReduce', 'AWS/Lambda', 'AWS/SQS', 'AWS/Usage'] },
          tag_filters: [{ namespace: 'AWS/RDS', tags: ['x:y'] }, { namespace: 'AWS/EC2', tags: ['datadog:monitored', '!env:dev*'] }],
        },
        resources_config: { cloud_security_posture_management_collection: true, extended_collection: true },
      },
      { configId: 'cfg-1', accountId: ACCOUNT, partition: 'aws', externalId: 'ext-9', auth: { kind: 'role', roleName: ROLE }, settings: FULL },
    ],
    [
      'access key, null tags, include_only namespaces',
      {
        aws_account_id: OTHER,
        auth_config: { access_key_id: 'AKIAEXAMPLE' },
        account_tags: null,
        aws_regions: { include_all: true },
        metrics_config: { namespace_filters: { include_only: ['AWS/EC2'] }, tag_filters: [{ namespace: 'AWS/EC2', tags: null }] },
        resources_config: { extended_collection: false },
      },
      {
        configId: 'cfg-1',
        accountId: OTHER,
        auth: { kind: 'access-key', accessKeyId: 'AKIAEXAMPLE' },
        settings: { ...DEFAULTS, namespaceRules: { 'AWS/EC2': true } },
      },
    ],
    ['no attributes', undefined, undefined],
    ['no auth config', { aws_account_id: ACCOUNT }, undefined],
  ])('%s', (_name, attributes, expected) => {
    expect(fromV2Account(data(attributes))).toEqual(expected);
  });

  it.each<[string, IntegrationSettings, IntegrationSettings]>([
    ['defaults', DEFAULTS, { ...DEFAULTS, namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/SQS': false, 'AWS/Usage': false } }],
    ['every field', FULL, FULL],
    [
      'a true rule lifts a default exclusion',
      { ...DEFAULTS, namespaceRules: { 'AWS/SQS': true } },
      { ...DEFAULTS, namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/SQS': true, 'AWS/Usage': false } },
    ],
    ['an unknown excluded region is lost', { ...DEFAULTS, excludedRegions: ['xx-nowhere-1', 'eu-west-1'] }, { ...DEFAULTS, ...{ namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/SQS': false, 'AWS/Usage': false } }, excludedRegions: ['eu-west-1'] }],
  ])('round trip settings -> v2 -> settings: %s (settingsAsV2Reads says so in advance)', (_name, settings, readBack) => {
    const back = fromV2Account(data({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE }, ...toV2Attributes(settings) }));
    expect(back!.settings).toEqual(readBack);
    expect(settingsAsV2Reads(settings)).toEqual(readBack);
    expect(settingsAsV2Reads(readBack)).toEqual(readBack);
  });

  it('mixed namespace rules are one exclusion list in v2; normalizeNamespaceRulesV2 says what reads back', () => {
    const rules = { 'AWS/EC2': true, 'AWS/SQS': false, 'AWS/Usage': true };
    expect(filtersFromRules(rules)).toEqual({ exclude_only: ['AWS/ElasticMapReduce', 'AWS/SQS'] });
    expect(normalizeNamespaceRulesV2(rules)).toEqual({ 'AWS/ElasticMapReduce': false, 'AWS/SQS': false, 'AWS/Usage': true });
    expect(rulesFromFilters(undefined)).toEqual({ 'AWS/SQS': false, 'AWS/ElasticMapReduce': false, 'AWS/Usage': false });
  });
});

describe('DatadogV2Integrations (port) against the stand-in', () => {
  let port: DatadogV2Integrations;
  beforeEach(() => {
    port = new DatadogV2Integrations(client);
  });

  it('apiVersion v2; create returns the external ID that list then shows', async () => {
    expect(port.apiVersion).toBe('v2');
    const { externalId } = await port.createIntegration(REF, FULL);
    const [listed, ...rest] = await port.listIntegrations({ accountId: ACCOUNT });
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({ accountId: ACCOUNT, externalId, auth: { kind: 'role', roleName: ROLE }, settings: FULL, configId: standin.stored()[0]!.id });
    expect(standin.requests.at(-1)!.query).toEqual({ aws_account_id: ACCOUNT });
  });

  it('create when Datadog returns no external ID: mint, then PATCH it in', async () => {
    standin.generateExternalIdOnCreate = false;
    const { externalId } = await port.createIntegration(REF, DEFAULTS);
    const id = standin.stored()[0]!.id;
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${PATH}/accounts`,
      `POST ${PATH}/generate_new_external_id`,
      `PATCH ${PATH}/accounts/${id}`,
    ]);
    expect(standin.stored()[0]!.attributes.auth_config).toEqual({ role_name: ROLE, external_id: externalId });
  });

  it('factory: datadog.apiVersion v2 builds the v2 port over the shared DatadogHttp (env keys, apiUrl)', async () => {
    const config = parseConfig({ datadog: { apiVersion: 'v2', apiUrl: standin.url, maxAttempts: 1 } }).datadog;
    const deps = {
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY },
      secretsManager: () => {
        throw new Error('no secret here');
      },
    };
    const built = createIntegrationPort(config, deps);
    expect(built.apiVersion).toBe('v2');
    await built.createIntegration(REF, DEFAULTS, { partition: 'aws-us-gov' });
    expect(standin.stored()[0]!.attributes.aws_partition).toBe('aws-us-gov');
    expect((await createV2Client(config, deps).listAccounts()).data).toHaveLength(1);
    expect(standin.requests.every((r) => r.authorized)).toBe(true);
  });

  it('create of an existing integration: conflict', async () => {
    await port.createIntegration(REF, DEFAULTS);
    expect(await apiError(() => port.createIntegration(REF, DEFAULTS))).toMatchObject({ kind: 'conflict' });
  });

  it('update finds the UUID with one filtered list call, PATCHes, keeps the external ID and unowned fields', async () => {
    const id = standin.seed({
      aws_account_id: ACCOUNT,
      aws_partition: 'aws',
      auth_config: { role_name: ROLE, external_id: 'keep-me' },
      metrics_config: { automute_enabled: false },
    });
    standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: 'SomeoneElse', external_id: 'x' } });
    await port.updateIntegration(REF, FULL);
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${PATH}/accounts`, `PATCH ${PATH}/accounts/${id}`]);
    const [integration] = (await port.listIntegrations({ accountId: ACCOUNT })).filter((i) => i.configId === id);
    expect(integration).toMatchObject({ externalId: 'keep-me', settings: FULL });
    expect(standin.stored().find((a) => a.id === id)!.attributes.metrics_config!.automute_enabled).toBe(false);
  });

  it.each([
    ['updateIntegration', (p: DatadogV2Integrations) => p.updateIntegration(REF, DEFAULTS), 'UpdateAWSAccount'],
    ['deleteIntegration', (p: DatadogV2Integrations) => p.deleteIntegration(REF), 'DeleteAWSAccount'],
    ['rotateExternalId', (p: DatadogV2Integrations) => p.rotateExternalId(REF), 'CreateNewAWSExternalID'],
  ])('%s of an absent integration (other role exists): not-found, one list call only', async (_name, call, operation) => {
    standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: 'OtherRole' } });
    expect(await apiError(() => call(port))).toMatchObject({ kind: 'not-found', operation });
    expect(standin.requests).toHaveLength(1);
  });

  it('delete removes only the configured role\'s config (204)', async () => {
    standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE } });
    const other = standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: 'OtherRole' } });
    await port.deleteIntegration(REF);
    expect(standin.stored().map((a) => a.id)).toEqual([other]);
  });

  it('rotate: mint (POST, no body) then PATCH auth_config with it; the old ID is gone', async () => {
    const id = standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: 'old' }, account_tags: ['a:b'] });
    const { externalId } = await port.rotateExternalId(REF);
    expect(externalId).toMatch(/^[0-9a-f]{32}$/);
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${PATH}/accounts`,
      `POST ${PATH}/generate_new_external_id`,
      `PATCH ${PATH}/accounts/${id}`,
    ]);
    expect(standin.requests[1]!.text).toBe('');
    expect(standin.requests[2]!.body).toEqual({
      data: { id, type: 'account', attributes: { aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: externalId } } },
    });
    expect(standin.stored()[0]!.attributes).toMatchObject({ auth_config: { role_name: ROLE, external_id: externalId }, account_tags: ['a:b'] });
    expect(standin.pendingExternalIds()).toEqual([]);
  });

  it('the stand-in enforces the 48-hour validity of a minted external ID', async () => {
    const id = standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: 'old' } });
    const minted = (await client.createNewExternalId()).data.attributes!.external_id;
    clock += EXTERNAL_ID_TTL_MS + 1;
    const patch = { data: { type: 'account' as const, attributes: { aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: minted } } } };
    const error = await apiError(() => client.updateAccount(id, patch));
    expect(error).toMatchObject({ kind: 'bad-request' });
    expect(error.errors[0]).toContain('48 hours');
    const fresh = (await client.createNewExternalId()).data.attributes!.external_id;
    clock += EXTERNAL_ID_TTL_MS - 1000;
    patch.data.attributes.auth_config.external_id = fresh;
    await client.updateAccount(id, patch);
    expect(standin.stored()[0]!.attributes.auth_config).toEqual({ role_name: ROLE, external_id: fresh });
  });

  it('listNamespaces returns the CloudWatch names', async () => {
    expect(await port.listNamespaces()).toEqual(V2_STANDIN_NAMESPACES);
  });

  it('rejects a bad account ID before any request', async () => {
    expect(await caught(() => port.listIntegrations({ accountId: 'abc' }))).toBeInstanceOf(InputError);
    expect(await caught(() => port.deleteIntegration({ accountId: '12', roleName: ROLE }))).toBeInstanceOf(InputError);
    expect(standin.requests).toHaveLength(0);
  });
});
