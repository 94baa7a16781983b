/**
 * Datadog's v2 AWS integration schemas that we use, field for field
 * (../shared/datadog/aws-integration-v2.openapi.yaml, components.schemas). Written by hand from
 * the document; names follow Datadog's. JSON:API shape: { data: { id?, type, attributes } }.
 */
import type { JsonApiErrorObject } from '../error-body';

/** AWSAccountConfigID: Datadog's UUID of one integration config (the v2 key; v1 had none). */
export type AWSAccountConfigID = string;

/** AWSAccountPartition. Defaults to `aws`; required on create. */
export type AWSAccountPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** AWSAccountType: the only resource type of accounts. */
export type AWSAccountType = 'account';

/** AWSAccountTags: `key:value` tags on every host and metric of the account. Nullable; defaults to []. */
export type AWSAccountTags = string[] | null;

/** AWSAuthConfigRole: role delegation. external_id is returned by GET/list (v1 never returned it). */
export interface AWSAuthConfigRole {
  /** 1..576 characters. */
  role_name: string;
  external_id?: string;
}

/** AWSAuthConfigKeys: access-key integration. secret_access_key is writeOnly (never returned). */
export interface AWSAuthConfigKeys {
  access_key_id: string;
  secret_access_key?: string;
}

/** AWSAuthConfig: oneOf keys | role. */
export type AWSAuthConfig = AWSAuthConfigKeys | AWSAuthConfigRole;

/** AWSRegionsIncludeAll: { include_all } (the default is include_all: true). */
export interface AWSRegionsIncludeAll {
  include_all: boolean;
}

/** AWSRegionsIncludeOnly. */
export interface AWSRegionsIncludeOnly {
  include_only: string[];
}

/** AWSRegions: oneOf. v2 has no "exclude" form (v1's excluded_regions). */
export type AWSRegions = AWSRegionsIncludeAll | AWSRegionsIncludeOnly;

/** AWSNamespaceFiltersExcludeOnly. Datadog's default: ["AWS/SQS", "AWS/ElasticMapReduce", "AWS/Usage"]. */
export interface AWSNamespaceFiltersExcludeOnly {
  exclude_only: string[];
}

/** AWSNamespaceFiltersIncludeOnly. */
export interface AWSNamespaceFiltersIncludeOnly {
  include_only: string[];
}

/** AWSNamespaceFilters: oneOf; defaults to exclude_only. Names are CloudWatch namespaces (AWS/EC2). */
export type AWSNamespaceFilters = AWSNamespaceFiltersExcludeOnly | AWSNamespaceFiltersIncludeOnly;

/** AWSNamespaceTagFilter: resource-tag filter for one namespace (`!` excludes, `?`/`*` wildcards). */
export interface AWSNamespaceTagFilter {
  namespace?: string;
  tags?: string[] | null;
}

/** AWSMetricsConfig. */
export interface AWSMetricsConfig {
  /** Defaults to true. */
  automute_enabled?: boolean;
  /** Defaults to false. */
  collect_cloudwatch_alarms?: boolean;
  /** Defaults to false. */
  collect_custom_metrics?: boolean;
  /** Defaults to true. */
  enabled?: boolean;
  namespace_filters?: AWSNamespaceFilters;
  /** Defaults to []. */
  tag_filters?: AWSNamespaceTagFilter[];
}

/** AWSLogSourceTagFilter. */
export interface AWSLogSourceTagFilter {
  source?: string;
  tags?: string[] | null;
}

/** AWSLambdaForwarderConfigLogSourceConfig. */
export interface AWSLambdaForwarderConfigLogSourceConfig {
  tag_filters?: AWSLogSourceTagFilter[];
}

/** AWSLambdaForwarderConfig. */
export interface AWSLambdaForwarderConfig {
  lambdas?: string[];
  log_source_config?: AWSLambdaForwarderConfigLogSourceConfig;
  sources?: string[];
}

/** AWSLogsConfig. */
export interface AWSLogsConfig {
  lambda_forwarder?: AWSLambdaForwarderConfig;
}

/** AWSResourcesConfig. */
export interface AWSResourcesConfig {
  /** Defaults to false. Requires extended_collection: true. */
  cloud_security_posture_management_collection?: boolean;
  /** Defaults to TRUE in v2 (v1's extended_resource_collection_enabled defaulted to false). */
  extended_collection?: boolean;
}

/** XRayServicesIncludeAll / XRayServicesIncludeOnly (nullable) / XRayServicesList. */
export interface XRayServicesIncludeAll {
  include_all: boolean;
}
export interface XRayServicesIncludeOnly {
  include_only: string[];
}
export type XRayServicesList = XRayServicesIncludeAll | XRayServicesIncludeOnly | null;

/** AWSTracesConfig. */
export interface AWSTracesConfig {
  xray_services?: XRayServicesList;
}

/** AWSAccountCreateRequestAttributes: aws_account_id, aws_partition and auth_config required. */
export interface AWSAccountCreateRequestAttributes {
  account_tags?: AWSAccountTags;
  auth_config: AWSAuthConfig;
  aws_account_id: string;
  aws_partition: AWSAccountPartition;
  aws_regions?: AWSRegions;
  logs_config?: AWSLogsConfig;
  metrics_config?: AWSMetricsConfig;
  resources_config?: AWSResourcesConfig;
  traces_config?: AWSTracesConfig;
}

export interface AWSAccountCreateRequestData {
  attributes: AWSAccountCreateRequestAttributes;
  type: AWSAccountType;
}

/** AWSAccountCreateRequest. */
export interface AWSAccountCreateRequest {
  data: AWSAccountCreateRequestData;
}

/** AWSAccountUpdateRequestAttributes: only aws_account_id is required (PATCH). */
export interface AWSAccountUpdateRequestAttributes {
  account_tags?: AWSAccountTags;
  auth_config?: AWSAuthConfig;
  aws_account_id: string;
  aws_partition?: AWSAccountPartition;
  aws_regions?: AWSRegions;
  logs_config?: AWSLogsConfig;
  metrics_config?: AWSMetricsConfig;
  resources_config?: AWSResourcesConfig;
  traces_config?: AWSTracesConfig;
}

export interface AWSAccountUpdateRequestData {
  attributes: AWSAccountUpdateRequestAttributes;
  /** Optional in the document. */
  id?: AWSAccountConfigID;
  type: AWSAccountType;
}

/** AWSAccountUpdateRequest. */
export interface AWSAccountUpdateRequest {
  data: AWSAccountUpdateRequestData;
}

/** AWSAccountResponseAttributes: only aws_account_id is required. created_at/modified_at are readOnly. */
export interface AWSAccountResponseAttributes {
  account_tags?: AWSAccountTags;
  auth_config?: AWSAuthConfig;
  aws_account_id: string;
  aws_partition?: AWSAccountPartition;
  aws_regions?: AWSRegions;
  created_at?: string;
  logs_config?: AWSLogsConfig;
  metrics_config?: AWSMetricsConfig;
  modified_at?: string;
  resources_config?: AWSResourcesConfig;
  traces_config?: AWSTracesConfig;
}

/** AWSAccountResponseData: id and type required; attributes optional. */
export interface AWSAccountResponseData {
  attributes?: AWSAccountResponseAttributes;
  id: AWSAccountConfigID;
  type: AWSAccountType;
}

/** AWSAccountResponse (GetAWSAccount, CreateAWSAccount, UpdateAWSAccount). */
export interface AWSAccountResponse {
  data: AWSAccountResponseData;
}

/** AWSAccountsResponse (ListAWSAccounts). */
export interface AWSAccountsResponse {
  data: AWSAccountResponseData[];
}

/** AWSNamespacesResponse (ListAWSNamespaces). */
export interface AWSNamespacesResponse {
  data: {
    attributes?: { namespaces: string[] };
    id: string; // "namespaces"
    type: 'namespaces';
  };
}

/** AWSNewExternalIDResponse (CreateNewAWSExternalID). */
export interface AWSNewExternalIDResponse {
  data: {
    attributes?: { external_id: string };
    id: string; // "external_id"
    type: 'external_id';
  };
}

/** AWSIntegrationIamPermissionsResponse (the three iam_permissions reads); data has no required field. */
export interface AWSIntegrationIamPermissionsResponse {
  data: {
    attributes?: { permissions: string[] };
    id?: string; // "permissions"
    type?: 'permissions';
  };
}

/**
 * APIErrorResponse: every documented error body says strings; Datadog's v2 traffic sends
 * JSON:API error objects (application/vnd.api+json). error-body.ts reads both.
 */
export interface APIErrorResponse {
  errors: (string | JsonApiErrorObject)[];
}

export function isRoleAuth(auth: AWSAuthConfig | undefined): auth is AWSAuthConfigRole {
  return typeof auth === 'object' && auth !== null && typeof (auth as AWSAuthConfigRole).role_name === 'string';
}

export function isKeysAuth(auth: AWSAuthConfig | undefined): auth is AWSAuthConfigKeys {
  return typeof auth === 'object' && auth !== null && typeof (auth as AWSAuthConfigKeys).access_key_id === 'string';
}
