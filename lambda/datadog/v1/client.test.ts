import { InputError } from '../../domain/errors';
import { DatadogApiError } from '../errors';
import { DatadogAwsV1Client } from './client';
import type { AWSAccount, AWSAccountListFilter } from './types';
import { STANDIN_NAMESPACES } from '@datadog-aws-org-integration/standins/datadog';
import { apiError, caught, makeHttp, useStandin } from '../../../test/support/datadog-http';

const PATH = '/api/v1/integration/aws';
const ROLE = 'DatadogIntegrationRole';

const standin = useStandin();
let client: DatadogAwsV1Client;

beforeEach(() => {
  client = new DatadogAwsV1Client(makeHttp(standin.url).http);
});

describe('ListAWSAccounts', () => {
  const A = { account_id: '111111111111', role_name: 'RoleA', external_id: 'x-a' };
  const B = { account_id: '111111111111', role_name: 'RoleB', external_id: 'x-b' };
  const C = { account_id: '222222222222', role_name: 'RoleA', external_id: 'x-c' };
  const K = { account_id: '333333333333', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'shh' };
  const visible = ({ external_id: _e, secret_access_key: _s, ...rest }: AWSAccount & { external_id?: string }) => rest;

  beforeEach(() => {
    for (const account of [A, B, C, K]) standin.seed(account);
  });

  it.each<[string, AWSAccountListFilter, Record<string, string>, AWSAccount[]]>([
    ['no filter', {}, {}, [A, B, C, K]],
    ['accountId', { accountId: '111111111111' }, { account_id: '111111111111' }, [A, B]],
    ['roleName', { roleName: 'RoleA' }, { role_name: 'RoleA' }, [A, C]],
    ['accountId + roleName', { accountId: '111111111111', roleName: 'RoleB' }, { account_id: '111111111111', role_name: 'RoleB' }, [B]],
    ['accessKeyId', { accessKeyId: 'AKIAEXAMPLE' }, { access_key_id: 'AKIAEXAMPLE' }, [K]],
    ['an account with none', { accountId: '999999999999' }, { account_id: '999999999999' }, []],
  ])('filter %s maps to the query parameters', async (_name, filter, query, expected) => {
    const response = await client.listAccounts(filter);

    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]).toMatchObject({ method: 'GET', path: PATH, query, authorized: true });
    expect(response.accounts).toEqual(expected.map(visible));
  });

  it('never returns external IDs or secret access keys', async () => {
    const response = await client.listAccounts();

    for (const account of response.accounts ?? []) {
      expect(account).not.toHaveProperty('external_id');
      expect(account).not.toHaveProperty('secret_access_key');
    }
  });
});

describe('CreateAWSAccount', () => {
  it('creates the integration and returns the external ID Datadog stored', async () => {
    const response = await client.createAccount({ account_id: '123456789012', role_name: ROLE });

    expect(response.external_id).toEqual(expect.any(String));
    expect(standin.requests[0]).toMatchObject({ method: 'POST', path: PATH, body: { account_id: '123456789012', role_name: ROLE } });
    expect(standin.stored()).toEqual([{ account_id: '123456789012', role_name: ROLE, external_id: response.external_id }]);
  });

  it('a duplicate account ID + role name answers 409 conflict, tried once', async () => {
    await client.createAccount({ account_id: '123456789012', role_name: ROLE });

    const error = await apiError(() => client.createAccount({ account_id: '123456789012', role_name: ROLE, host_tags: ['a:b'] }));

    expect(error).toMatchObject({ kind: 'conflict', status: 409, operation: 'CreateAWSAccount', attempts: 1 });
    expect(error.errors[0]).toContain('already exists');
    expect(standin.requests).toHaveLength(2);
    expect(standin.stored()).toHaveLength(1);
    expect(standin.stored()[0]).not.toHaveProperty('host_tags');
  });

  it('the same account with another role name is a separate integration', async () => {
    await client.createAccount({ account_id: '123456789012', role_name: ROLE });
    await client.createAccount({ account_id: '123456789012', role_name: 'OtherRole' });

    expect(standin.stored().map((a) => a.role_name)).toEqual([ROLE, 'OtherRole']);
  });

  it('an access-key integration needs no role name', async () => {
    const response = await client.createAccount({ account_id: '123456789012', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'shh' });

    expect(response).toEqual({});
    expect(standin.stored()).toEqual([
      { account_id: '123456789012', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'shh', external_id: undefined },
    ]);
  });

  it('every AWSAccount field round-trips through create + list', async () => {
    const account: Required<Omit<AWSAccount, 'access_key_id' | 'secret_access_key'>> = {
      account_id: '123456789012',
      role_name: ROLE,
      account_specific_namespace_rules: { auto_scaling: false, opsworks: true },
      cspm_resource_collection_enabled: true,
      excluded_regions: ['us-east-1', 'eu-west-3'],
      extended_resource_collection_enabled: true,
      filter_tags: ['env:prod', '!team:legacy'],
      host_tags: ['team:platform', 'cost-center:42'],
      metrics_collection_enabled: false,
      resource_collection_enabled: true,
    };

    await client.createAccount(account);
    const listed = await client.listAccounts({ accountId: account.account_id, roleName: ROLE });

    expect(listed.accounts).toEqual([account]);
  });
});

describe('UpdateAWSAccount', () => {
  const EXTERNAL_ID = 'external-id-before';

  beforeEach(() => {
    standin.seed({
      account_id: '123456789012',
      role_name: ROLE,
      host_tags: ['team:old'],
      excluded_regions: ['us-west-1'],
      external_id: EXTERNAL_ID,
    });
    standin.seed({ account_id: '210987654321', access_key_id: 'AKIAEXAMPLE', host_tags: ['k:v'] });
  });

  it('selects by account_id + role_name in the query and merges the body into the integration', async () => {
    const response = await client.updateAccount(
      { accountId: '123456789012', roleName: ROLE },
      { account_id: '123456789012', role_name: ROLE, host_tags: ['team:new'], metrics_collection_enabled: false },
    );

    expect(response).toEqual({});
    expect(standin.requests[0]).toMatchObject({
      method: 'PUT',
      path: PATH,
      query: { account_id: '123456789012', role_name: ROLE },
      body: { account_id: '123456789012', role_name: ROLE, host_tags: ['team:new'], metrics_collection_enabled: false },
    });
    expect(standin.stored()).toContainEqual({
      account_id: '123456789012',
      role_name: ROLE,
      host_tags: ['team:new'],
      excluded_regions: ['us-west-1'],
      metrics_collection_enabled: false,
      external_id: EXTERNAL_ID,
    });
  });

  it('selects by access_key_id alone', async () => {
    await client.updateAccount({ accessKeyId: 'AKIAEXAMPLE' }, { access_key_id: 'AKIAEXAMPLE', host_tags: ['k:new'] });

    expect(standin.requests[0]!.query).toEqual({ access_key_id: 'AKIAEXAMPLE' });
    expect(standin.stored()).toContainEqual({ account_id: '210987654321', access_key_id: 'AKIAEXAMPLE', host_tags: ['k:new'] });
  });

  it('an integration that does not exist is a 400 bad-request, tried once', async () => {
    const error = await apiError(() =>
      client.updateAccount({ accountId: '999999999999', roleName: ROLE }, { account_id: '999999999999', role_name: ROLE }),
    );

    expect(error).toMatchObject({ kind: 'bad-request', status: 400, operation: 'UpdateAWSAccount' });
    expect(error.errors[0]).toContain('does not exist');
    expect(standin.requests).toHaveLength(1);
  });
});

describe('DeleteAWSAccount', () => {
  beforeEach(() => {
    standin.seed({ account_id: '123456789012', role_name: ROLE, external_id: 'x' });
    standin.seed({ account_id: '123456789012', role_name: 'KeepMe', external_id: 'y' });
    standin.seed({ account_id: '210987654321', access_key_id: 'AKIAEXAMPLE' });
  });

  it('deletes by account ID + role name, sent in the body', async () => {
    await expect(client.deleteAccount({ account_id: '123456789012', role_name: ROLE })).resolves.toEqual({});

    expect(standin.requests[0]).toMatchObject({ method: 'DELETE', path: PATH, query: {}, body: { account_id: '123456789012', role_name: ROLE } });
    expect(standin.stored().map((a) => a.role_name ?? a.access_key_id)).toEqual(['KeepMe', 'AKIAEXAMPLE']);
  });

  it('deletes by access key ID', async () => {
    await client.deleteAccount({ access_key_id: 'AKIAEXAMPLE' });

    expect(standin.requests[0]!.body).toEqual({ access_key_id: 'AKIAEXAMPLE' });
    expect(standin.stored()).toHaveLength(2);
  });

  it('deleting twice: the second answers 400 bad-request', async () => {
    await client.deleteAccount({ account_id: '123456789012', role_name: ROLE });

    const error = await apiError(() => client.deleteAccount({ account_id: '123456789012', role_name: ROLE }));

    expect(error).toMatchObject({ kind: 'bad-request', operation: 'DeleteAWSAccount' });
  });
});

describe('ListAvailableAWSNamespaces', () => {
  it('returns the namespace list', async () => {
    await expect(client.listAvailableNamespaces()).resolves.toEqual(STANDIN_NAMESPACES);
    expect(standin.requests[0]).toMatchObject({ method: 'GET', path: `${PATH}/available_namespace_rules`, authorized: true });
  });
});

describe('CreateNewAWSExternalID', () => {
  it('returns a new external ID, different from create\'s, and the one Datadog now holds', async () => {
    const created = await client.createAccount({ account_id: '123456789012', role_name: ROLE });

    const rotated = await client.createNewExternalId({ account_id: '123456789012', role_name: ROLE });

    expect(rotated.external_id).toEqual(expect.any(String));
    expect(rotated.external_id).not.toBe(created.external_id);
    expect(standin.stored()[0]!.external_id).toBe(rotated.external_id);
    expect(standin.requests[1]).toMatchObject({
      method: 'PUT',
      path: `${PATH}/generate_new_external_id`,
      body: { account_id: '123456789012', role_name: ROLE },
    });
  });

  it('sends only account_id and role_name, whatever else the caller passes', async () => {
    standin.seed({ account_id: '123456789012', role_name: ROLE });
    const extra = { account_id: '123456789012', role_name: ROLE, host_tags: ['x:y'] };

    await client.createNewExternalId(extra);

    expect(standin.requests[0]!.body).toEqual({ account_id: '123456789012', role_name: ROLE });
  });

  it('for an integration that does not exist answers 400 bad-request', async () => {
    const error = await apiError(() => client.createNewExternalId({ account_id: '123456789012', role_name: ROLE }));

    expect(error).toMatchObject({ kind: 'bad-request', operation: 'CreateNewAWSExternalID' });
  });
});

describe('input checks: nothing is sent', () => {
  const INVALID_IDS = ['12345', '1234567890123', '12345678901a', ' 123456789012', '123456789012 ', '1234-5678-9012', ''];

  const operations: [string, (accountId: string) => unknown][] = [
    ['listAccounts', (id) => client.listAccounts({ accountId: id })],
    ['createAccount', (id) => client.createAccount({ account_id: id, role_name: ROLE })],
    ['updateAccount (selector)', (id) => client.updateAccount({ accountId: id, roleName: ROLE }, { account_id: '123456789012', role_name: ROLE })],
    ['updateAccount (body)', (id) => client.updateAccount({ accountId: '123456789012', roleName: ROLE }, { account_id: id, role_name: ROLE })],
    ['deleteAccount', (id) => client.deleteAccount({ account_id: id, role_name: ROLE })],
    ['createNewExternalId', (id) => client.createNewExternalId({ account_id: id, role_name: ROLE })],
  ];

  const cases = operations.flatMap(([name, call]) => INVALID_IDS.map((id) => [name, JSON.stringify(id), id, call] as const));

  it.each(cases)('%s rejects account ID %s with an InputError', async (_name, _shown, id, call) => {
    const error = await caught(() => call(id));

    expect(error).toBeInstanceOf(InputError);
    expect(error).not.toBeInstanceOf(DatadogApiError);
    expect((error as Error).message).toContain(JSON.stringify(id));
    expect((error as Error).message).toContain('12 digits');
    expect(standin.requests).toHaveLength(0);
  });

  it.each<[string, () => unknown]>([
    ['createAccount without role_name', () => client.createAccount({ account_id: '123456789012' })],
    ['createAccount with a blank role_name', () => client.createAccount({ account_id: '123456789012', role_name: '  ' })],
    ['updateAccount with an empty selector role name', () => client.updateAccount({ accountId: '123456789012', roleName: '' }, { account_id: '123456789012', role_name: ROLE })],
    ['updateAccount with a body without role_name', () => client.updateAccount({ accountId: '123456789012', roleName: ROLE }, { account_id: '123456789012' })],
    ['deleteAccount without role_name', () => client.deleteAccount({ account_id: '123456789012' })],
    ['createNewExternalId with an empty role_name', () => client.createNewExternalId({ account_id: '123456789012', role_name: '' })],
  ])('%s: InputError "role name is required"', async (_name, call) => {
    const error = await caught(call);

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('role name is required');
    expect(standin.requests).toHaveLength(0);
  });

  it.each<[string, () => unknown]>([
    ['createAccount with neither account ID nor access key', () => client.createAccount({ role_name: ROLE })],
    ['deleteAccount with nothing', () => client.deleteAccount({})],
  ])('%s: InputError, nothing sent', async (_name, call) => {
    const error = await caught(call);

    expect(error).toBeInstanceOf(InputError);
    expect(standin.requests).toHaveLength(0);
  });
});

describe('input errors surface as rejections', () => {
  // Regression: the methods once threw synchronously on bad input, escaping .catch() and Promise.allSettled.
  it('listAccounts with a bad account ID returns a rejected promise', async () => {
    let result: unknown;
    expect(() => {
      result = client.listAccounts({ accountId: '12345' });
    }).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(InputError);
  });
});
