import { assertAccountId } from '../../domain/account-id';
import { InputError } from '../../domain/errors';
import type { DatadogHttp } from '../http';
import type {
  AWSAccount,
  AWSAccountCreateResponse,
  AWSAccountDeleteRequest,
  AWSAccountListFilter,
  AWSAccountListResponse,
  AWSAccountSelector,
} from './types';

const PATH = '/api/v1/integration/aws';

/**
 * Every method is async, so bad input rejects like any other failure.
 * The six operations of Datadog's v1 AWS integration API, one method each, typed with
 * Datadog's own schemas. Responses are returned as Datadog sent them.
 */
export class DatadogAwsV1Client {
  constructor(private readonly http: DatadogHttp) {}

  /** ListAWSAccounts: GET /api/v1/integration/aws. Never returns external IDs. */
  async listAccounts(filter: AWSAccountListFilter = {}): Promise<AWSAccountListResponse> {
    if (filter.accountId !== undefined) assertAccountId(filter.accountId);
    return this.http.request({
      operation: 'ListAWSAccounts',
      permission: 'aws_configuration_read',
      method: 'GET',
      path: PATH,
      query: { account_id: filter.accountId, role_name: filter.roleName, access_key_id: filter.accessKeyId },
    });
  }

  /** CreateAWSAccount: POST. Answers 409 when the account ID + role name already exist. */
  async createAccount(account: AWSAccount): Promise<AWSAccountCreateResponse> {
    checkAccount(account);
    return this.http.request({
      operation: 'CreateAWSAccount',
      permission: 'aws_configurations_manage',
      method: 'POST',
      path: PATH,
      body: account,
    });
  }

  /** UpdateAWSAccount: PUT, selecting the integration by query (account_id + role_name, or access_key_id). */
  async updateAccount(selector: AWSAccountSelector, account: AWSAccount): Promise<Record<string, never>> {
    checkAccount(account);
    const query =
      'accessKeyId' in selector
        ? { access_key_id: selector.accessKeyId }
        : { account_id: assertAccountId(selector.accountId), role_name: required(selector.roleName, 'role name') };
    return this.http.request({
      operation: 'UpdateAWSAccount',
      permission: 'aws_configuration_edit',
      method: 'PUT',
      path: PATH,
      query,
      body: account,
    });
  }

  /** DeleteAWSAccount: DELETE with the account ID + role name (or access key ID) in the body. */
  async deleteAccount(request: AWSAccountDeleteRequest): Promise<Record<string, never>> {
    if (request.access_key_id === undefined) {
      assertAccountId(request.account_id);
      required(request.role_name, 'role name');
    }
    return this.http.request({
      operation: 'DeleteAWSAccount',
      permission: 'aws_configurations_manage',
      method: 'DELETE',
      path: PATH,
      body: request,
    });
  }

  /** ListAvailableAWSNamespaces: the namespaces that namespace rules may name. */
  async listAvailableNamespaces(): Promise<string[]> {
    return this.http.request({
      operation: 'ListAvailableAWSNamespaces',
      permission: 'aws_configuration_read',
      method: 'GET',
      path: `${PATH}/available_namespace_rules`,
    });
  }

  /** CreateNewAWSExternalID: a new external ID for account ID + role name; the old one stops working. */
  async createNewExternalId(account: { account_id: string; role_name: string }): Promise<AWSAccountCreateResponse> {
    assertAccountId(account.account_id);
    required(account.role_name, 'role name');
    return this.http.request({
      operation: 'CreateNewAWSExternalID',
      permission: 'aws_configuration_edit',
      method: 'PUT',
      path: `${PATH}/generate_new_external_id`,
      body: { account_id: account.account_id, role_name: account.role_name },
    });
  }
}

function required(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') throw new InputError(`${field} is required`);
  return value;
}

function checkAccount(account: AWSAccount): void {
  if (account.account_id !== undefined) assertAccountId(account.account_id);
  if (account.access_key_id === undefined && account.account_id === undefined) {
    throw new InputError('account ID is required (or an access key ID)');
  }
  if (account.access_key_id === undefined) required(account.role_name, 'role name');
}
