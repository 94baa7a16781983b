import { DatadogApiError } from '../errors';
import { createIntegrationPort } from '../factory';
import type { Integration, IntegrationRef, IntegrationSettings } from '../port';
import { DatadogV1Integrations, fromV1Account, toV1Account } from './adapter';
import { DatadogAwsV1Client } from './client';
import type { AWSAccount } from './types';
import { parseConfig } from '../../config/schema';
import { InputError } from '../../domain/errors';
import { STANDIN_NAMESPACES } from '@datadog-aws-org-integration/standins/datadog';
import { API_KEY, APP_KEY, apiError, caught, makeHttp, useStandin } from '../../../test/support/datadog-http';

const REF: IntegrationRef = { accountId: '123456789012', roleName: 'DatadogIntegrationRole' };

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
  hostTags: ['team:platform'],
  filterTags: ['env:prod', '!legacy:true'],
  excludedRegions: ['ap-east-1'],
  namespaceRules: { auto_scaling: false, ec2: true },
  metricsCollection: false,
  cspmResourceCollection: true,
  extendedResourceCollection: true,
};

describe('fromV1Account', () => {
  it.each<[string, AWSAccount, Integration | undefined]>([
    [
      'a bare role integration gets Datadog\'s defaults (metrics on, the rest off)',
      { account_id: '123456789012', role_name: 'R' },
      { accountId: '123456789012', auth: { kind: 'role', roleName: 'R' }, settings: DEFAULTS },
    ],
    [
      'every field mapped',
      {
        account_id: '123456789012',
        role_name: 'R',
        host_tags: ['team:platform'],
        filter_tags: ['env:prod', '!legacy:true'],
        excluded_regions: ['ap-east-1'],
        account_specific_namespace_rules: { auto_scaling: false, ec2: true },
        metrics_collection_enabled: false,
        cspm_resource_collection_enabled: true,
        extended_resource_collection_enabled: true,
      },
      { accountId: '123456789012', auth: { kind: 'role', roleName: 'R' }, settings: FULL },
    ],
    [
      'explicit false / true kept as given',
      {
        account_id: '123456789012',
        role_name: 'R',
        metrics_collection_enabled: true,
        cspm_resource_collection_enabled: false,
        extended_resource_collection_enabled: false,
      },
      { accountId: '123456789012', auth: { kind: 'role', roleName: 'R' }, settings: DEFAULTS },
    ],
    [
      'an access-key integration maps to auth kind access-key',
      { account_id: '123456789012', access_key_id: 'AKIAEXAMPLE', host_tags: ['k:v'] },
      { accountId: '123456789012', auth: { kind: 'access-key', accessKeyId: 'AKIAEXAMPLE' }, settings: { ...DEFAULTS, hostTags: ['k:v'] } },
    ],
    [
      'a role name wins over an access key',
      { account_id: '123456789012', role_name: 'R', access_key_id: 'AKIAEXAMPLE' },
      { accountId: '123456789012', auth: { kind: 'role', roleName: 'R' }, settings: DEFAULTS },
    ],
    ['no account_id: dropped', { role_name: 'R' }, undefined],
    ['an empty account_id: dropped', { account_id: '', role_name: 'R' }, undefined],
    ['neither role nor key: dropped', { account_id: '123456789012', host_tags: ['a:b'] }, undefined],
    ['an empty role and no key: dropped', { account_id: '123456789012', role_name: '' }, undefined],
  ])('%s', (_name, account, expected) => {
    expect(fromV1Account(account)).toEqual(expected);
  });

  it('never reports an external ID (v1 does not return it)', () => {
    const integration = fromV1Account({ account_id: '123456789012', role_name: 'R' });
    expect(integration).not.toHaveProperty('externalId');
  });
});

describe('toV1Account', () => {
  it.each<[string, IntegrationSettings, AWSAccount]>([
    [
      'defaults',
      DEFAULTS,
      {
        account_id: REF.accountId,
        role_name: REF.roleName,
        host_tags: [],
        filter_tags: [],
        excluded_regions: [],
        account_specific_namespace_rules: {},
        metrics_collection_enabled: true,
        cspm_resource_collection_enabled: false,
        extended_resource_collection_enabled: false,
      },
    ],
    [
      'every setting',
      FULL,
      {
        account_id: REF.accountId,
        role_name: REF.roleName,
        host_tags: ['team:platform'],
        filter_tags: ['env:prod', '!legacy:true'],
        excluded_regions: ['ap-east-1'],
        account_specific_namespace_rules: { auto_scaling: false, ec2: true },
        metrics_collection_enabled: false,
        cspm_resource_collection_enabled: true,
        extended_resource_collection_enabled: true,
      },
    ],
  ])('%s', (_name, settings, expected) => {
    expect(toV1Account(REF, settings)).toEqual(expected);
  });

  it('copies the arrays and the rules, so the request does not alias the settings', () => {
    const settings = { ...FULL, hostTags: ['a:b'], namespaceRules: { ec2: true } };
    const account = toV1Account(REF, settings);
    account.host_tags!.push('c:d');
    account.account_specific_namespace_rules!.ec2 = false;
    expect(settings.hostTags).toEqual(['a:b']);
    expect(settings.namespaceRules).toEqual({ ec2: true });
  });

  it.each([DEFAULTS, FULL])('fromV1Account(toV1Account(x)) gives x back (%#)', (settings) => {
    expect(fromV1Account(toV1Account(REF, settings))).toEqual({
      accountId: REF.accountId,
      auth: { kind: 'role', roleName: REF.roleName },
      settings,
    });
  });
});

describe('DatadogV1Integrations against the stand-in', () => {
  const standin = useStandin();
  let port: DatadogV1Integrations;

  beforeEach(() => {
    port = new DatadogV1Integrations(new DatadogAwsV1Client(makeHttp(standin.url).http));
  });

  it('is the v1 port', () => {
    expect(port.apiVersion).toBe('v1');
  });

  it('createIntegration returns the external ID Datadog stored, and sends the mapped account', async () => {
    const { externalId } = await port.createIntegration(REF, FULL);

    expect(externalId).toEqual(expect.any(String));
    expect(standin.stored()).toEqual([{ ...toV1Account(REF, FULL), external_id: externalId }]);
    expect(standin.requests[0]).toMatchObject({ method: 'POST', body: toV1Account(REF, FULL) });
  });

  it('createIntegration of an existing integration surfaces DatadogApiError kind conflict', async () => {
    await port.createIntegration(REF, DEFAULTS);

    const error = await apiError(() => port.createIntegration(REF, FULL));

    expect(error).toMatchObject({ kind: 'conflict', status: 409, operation: 'CreateAWSAccount' });
    expect(standin.requests).toHaveLength(2);
  });

  it('listIntegrations maps every usable integration and drops the unusable', async () => {
    standin.seed({ ...toV1Account(REF, FULL), external_id: 'hidden' });
    standin.seed({ account_id: '210987654321', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'shh' });
    standin.seed({ account_id: '333333333333', role_name: 'Bare' });

    const integrations = await port.listIntegrations();

    expect(integrations).toEqual([
      { accountId: REF.accountId, auth: { kind: 'role', roleName: REF.roleName }, settings: FULL },
      { accountId: '210987654321', auth: { kind: 'access-key', accessKeyId: 'AKIAEXAMPLE' }, settings: DEFAULTS },
      { accountId: '333333333333', auth: { kind: 'role', roleName: 'Bare' }, settings: DEFAULTS },
    ]);
    expect(standin.requests[0]!.query).toEqual({});
  });

  it('listIntegrations filters by account ID through the query', async () => {
    standin.seed({ account_id: REF.accountId, role_name: 'A' });
    standin.seed({ account_id: '210987654321', role_name: 'B' });

    const integrations = await port.listIntegrations({ accountId: REF.accountId });

    expect(integrations.map((i) => i.accountId)).toEqual([REF.accountId]);
    expect(standin.requests[0]!.query).toEqual({ account_id: REF.accountId });
  });

  it('listIntegrations with a bad account ID rejects with InputError and sends nothing', async () => {
    const error = await caught(() => port.listIntegrations({ accountId: '1234' }));

    expect(error).toBeInstanceOf(InputError);
    expect(standin.requests).toHaveLength(0);
  });

  it('updateIntegration replaces the settings of the integration, keeping its external ID', async () => {
    const { externalId } = await port.createIntegration(REF, DEFAULTS);

    await port.updateIntegration(REF, FULL);

    expect(standin.requests[1]).toMatchObject({
      method: 'PUT',
      query: { account_id: REF.accountId, role_name: REF.roleName },
      body: toV1Account(REF, FULL),
    });
    expect(standin.stored()).toEqual([{ ...toV1Account(REF, FULL), external_id: externalId }]);
    await expect(port.listIntegrations()).resolves.toEqual([
      { accountId: REF.accountId, auth: { kind: 'role', roleName: REF.roleName }, settings: FULL },
    ]);
  });

  it('deleteIntegration removes only that account ID + role name', async () => {
    await port.createIntegration(REF, DEFAULTS);
    await port.createIntegration({ ...REF, roleName: 'OtherTeamRole' }, DEFAULTS);

    await port.deleteIntegration(REF);

    expect(standin.requests[2]).toMatchObject({ method: 'DELETE', body: { account_id: REF.accountId, role_name: REF.roleName } });
    expect(standin.stored().map((a) => a.role_name)).toEqual(['OtherTeamRole']);
  });

  it('rotateExternalId returns a new external ID, the one Datadog now holds', async () => {
    const created = await port.createIntegration(REF, DEFAULTS);

    const rotated = await port.rotateExternalId(REF);

    expect(rotated.externalId).not.toBe(created.externalId);
    expect(standin.stored()[0]!.external_id).toBe(rotated.externalId);
  });

  it('listNamespaces returns Datadog\'s list', async () => {
    await expect(port.listNamespaces()).resolves.toEqual(STANDIN_NAMESPACES);
  });

  it.each<[string, () => Promise<unknown>, string]>([
    ['createIntegration', () => port.createIntegration(REF, DEFAULTS), 'CreateAWSAccount'],
    ['rotateExternalId', () => port.rotateExternalId(REF), 'CreateNewAWSExternalID'],
  ])('%s: a 200 without external_id is DatadogApiError kind unexpected', async (_name, call, operation) => {
    standin.inject({ kind: 'status', status: 200, body: {} });

    const error = await apiError(call);

    expect(error).toBeInstanceOf(DatadogApiError);
    expect(error).toMatchObject({ kind: 'unexpected', status: 200, operation });
    expect(error.message).toContain('without an external_id');
    expect(error.retryable).toBe(false);
  });

  it('a 200 with an empty external_id is unexpected too', async () => {
    standin.inject({ kind: 'status', status: 200, body: { external_id: '' } });

    const error = await apiError(() => port.createIntegration(REF, DEFAULTS));

    expect(error.kind).toBe('unexpected');
  });

  it('createIntegrationPort wires config + environment into a working v1 port', async () => {
    const config = parseConfig({ datadog: { apiVersion: 'v1', apiUrl: `${standin.url}/`, maxAttempts: 2 } }).datadog;
    const seen: string[] = [];
    const integrations = createIntegrationPort(config, {
      env: { DD_API_KEY: ` ${API_KEY} `, DD_APP_KEY: APP_KEY },
      secretsManager: () => {
        throw new Error('no secret is configured: Secrets Manager must not be built');
      },
      sleep: async () => undefined,
      onCredentials: (credentials) => seen.push(credentials.apiKey),
    });
    standin.inject({ kind: 'status', status: 503 });

    const { externalId } = await integrations.createIntegration(REF, DEFAULTS);

    expect(integrations.apiVersion).toBe('v1');
    expect(standin.stored()[0]!.external_id).toBe(externalId);
    expect(standin.requests.map((r) => r.authorized)).toEqual([true, true]);
    expect(seen).toEqual([API_KEY]);
  });
});
