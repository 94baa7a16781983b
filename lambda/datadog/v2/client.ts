import { assertAccountId } from '../../domain/account-id';
import { InputError } from '../../domain/errors';
import type { DatadogHttp } from '../http';
import type {
  AWSAccountConfigID,
  AWSAccountCreateRequest,
  AWSAccountResponse,
  AWSAccountsResponse,
  AWSAccountUpdateRequest,
  AWSIntegrationIamPermissionsResponse,
  AWSNamespacesResponse,
  AWSNewExternalIDResponse,
} from './types';

const PATH = '/api/v2/integration/aws';
const ACCOUNTS = `${PATH}/accounts`;

/**
 * The ten operations of Datadog's v2 AWS integration API, one method each, typed with
 * Datadog's schemas (./types). Responses are returned as Datadog sent them. Every method is
 * async, so bad input (an account ID that is not 12 digits, an empty config ID) rejects like
 * any other failure, before any request. `permission` is the operation's x-permission; the
 * three iam_permissions reads declare none in the document (they are public lists), so the
 * 403 hint names none for them.
 */
export class DatadogAwsV2Client {
  constructor(private readonly http: DatadogHttp) {}

  /** ListAWSAccounts: GET /accounts, optionally ?aws_account_id=. Returns auth_config.external_id. */
  async listAccounts(filter: { awsAccountId?: string } = {}): Promise<AWSAccountsResponse> {
    if (filter.awsAccountId !== undefined) assertAccountId(filter.awsAccountId);
    return this.http.request({
      operation: 'ListAWSAccounts',
      permission: 'aws_configuration_read',
      method: 'GET',
      path: ACCOUNTS,
      query: { aws_account_id: filter.awsAccountId },
    });
  }

  /** GetAWSAccount: GET /accounts/{aws_account_config_id}. 404 when the config ID is unknown. */
  async getAccount(configId: AWSAccountConfigID): Promise<AWSAccountResponse> {
    return this.http.request({
      operation: 'GetAWSAccount',
      permission: 'aws_configuration_read',
      method: 'GET',
      path: accountPath(configId),
    });
  }

  /** CreateAWSAccount: POST /accounts. 409 when the account (ID + role) is already integrated. */
  async createAccount(body: AWSAccountCreateRequest): Promise<AWSAccountResponse> {
    const attributes = body?.data?.attributes;
    if (!attributes) throw new InputError('data.attributes is required');
    assertAccountId(attributes.aws_account_id, 'aws_account_id');
    checkAuth(attributes.auth_config);
    return this.http.request({
      operation: 'CreateAWSAccount',
      permission: 'aws_configurations_manage',
      method: 'POST',
      path: ACCOUNTS,
      body,
    });
  }

  /** UpdateAWSAccount: PATCH /accounts/{id}. Only the attributes sent change; aws_account_id is required. */
  async updateAccount(configId: AWSAccountConfigID, body: AWSAccountUpdateRequest): Promise<AWSAccountResponse> {
    const path = accountPath(configId);
    const attributes = body?.data?.attributes;
    if (!attributes) throw new InputError('data.attributes is required');
    assertAccountId(attributes.aws_account_id, 'aws_account_id');
    if (attributes.auth_config !== undefined) checkAuth(attributes.auth_config);
    return this.http.request({
      operation: 'UpdateAWSAccount',
      permission: 'aws_configuration_edit',
      method: 'PATCH',
      path,
      body,
    });
  }

  /** DeleteAWSAccount: DELETE /accounts/{id}; Datadog answers 204 No Content. */
  async deleteAccount(configId: AWSAccountConfigID): Promise<void> {
    await this.http.request<unknown>({
      operation: 'DeleteAWSAccount',
      permission: 'aws_configurations_manage',
      method: 'DELETE',
      path: accountPath(configId),
    });
  }

  /** ListAWSNamespaces: GET /available_namespaces (CloudWatch names such as AWS/EC2). */
  async listNamespaces(): Promise<AWSNamespacesResponse> {
    return this.http.request({
      operation: 'ListAWSNamespaces',
      permission: 'aws_configuration_read',
      method: 'GET',
      path: `${PATH}/available_namespaces`,
    });
  }

  /**
   * CreateNewAWSExternalID: POST /generate_new_external_id with no body. Unlike v1 it names no
   * account: it only mints an ID, which must then be written into an integration's
   * auth_config (create or PATCH). Datadog's Terraform/Pulumi docs say an ID not used within
   * 48 hours expires; the OpenAPI document itself does not state the 48 hours.
   */
  async createNewExternalId(): Promise<AWSNewExternalIDResponse> {
    return this.http.request({
      operation: 'CreateNewAWSExternalID',
      permission: 'aws_configuration_edit',
      method: 'POST',
      path: `${PATH}/generate_new_external_id`,
    });
  }

  /** GetAWSIntegrationIAMPermissions: every IAM action the integration needs. */
  async getIamPermissions(): Promise<AWSIntegrationIamPermissionsResponse> {
    return this.iam('GetAWSIntegrationIAMPermissions', '');
  }

  /** GetAWSIntegrationIAMPermissionsStandard: the standard integration policy's actions. */
  async getIamPermissionsStandard(): Promise<AWSIntegrationIamPermissionsResponse> {
    return this.iam('GetAWSIntegrationIAMPermissionsStandard', '/standard');
  }

  /** GetAWSIntegrationIAMPermissionsResourceCollection: the resource collection actions. */
  async getIamPermissionsResourceCollection(): Promise<AWSIntegrationIamPermissionsResponse> {
    return this.iam('GetAWSIntegrationIAMPermissionsResourceCollection', '/resource_collection');
  }

  private iam(operation: string, suffix: string): Promise<AWSIntegrationIamPermissionsResponse> {
    return this.http.request({
      operation,
      // The document declares no x-permission (and no 403) for these reads.
      permission: 'no specific permission (the document declares none)',
      method: 'GET',
      path: `${PATH}/iam_permissions${suffix}`,
    });
  }
}

function accountPath(configId: AWSAccountConfigID): string {
  if (typeof configId !== 'string' || configId.trim() === '') throw new InputError('the AWS account config ID is required');
  return `${ACCOUNTS}/${encodeURIComponent(configId)}`;
}

function checkAuth(auth: unknown): void {
  const value = auth as { role_name?: unknown; access_key_id?: unknown } | undefined;
  if (typeof value !== 'object' || value === null) throw new InputError('auth_config is required');
  if (typeof value.access_key_id === 'string' && value.access_key_id !== '') return;
  if (typeof value.role_name !== 'string' || value.role_name.trim() === '') {
    throw new InputError('auth_config needs a role_name (or an access_key_id)');
  }
  if (value.role_name.length > 576) throw new InputError('auth_config.role_name is longer than 576 characters');
}
