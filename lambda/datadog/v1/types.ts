/**
 * Datadog's v1 AWS integration schemas, field for field
 * (../shared/datadog/aws-integration-v1.openapi.yaml, components.schemas).
 */
export interface AWSAccount {
  access_key_id?: string;
  account_id?: string;
  account_specific_namespace_rules?: Record<string, boolean>;
  cspm_resource_collection_enabled?: boolean;
  excluded_regions?: string[];
  extended_resource_collection_enabled?: boolean;
  filter_tags?: string[];
  host_tags?: string[];
  metrics_collection_enabled?: boolean;
  /** @deprecated by Datadog in favour of extended_resource_collection_enabled. */
  resource_collection_enabled?: boolean;
  role_name?: string;
  secret_access_key?: string;
}

export interface AWSAccountListResponse {
  accounts?: AWSAccount[];
}

export interface AWSAccountCreateResponse {
  external_id?: string;
}

export interface AWSAccountDeleteRequest {
  access_key_id?: string;
  account_id?: string;
  role_name?: string;
}

/** Filters of ListAWSAccounts. */
export interface AWSAccountListFilter {
  accountId?: string;
  roleName?: string;
  accessKeyId?: string;
}

/** Which integration UpdateAWSAccount changes: account ID + role name, or an access key ID. */
export type AWSAccountSelector = { accountId: string; roleName: string } | { accessKeyId: string };
