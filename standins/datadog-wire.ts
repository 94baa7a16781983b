/**
 * The stand-in's own model of Datadog's AWS integration bodies, as its documents describe them
 * (../shared/datadog/aws-integration-v1.openapi.yaml and -v2.openapi.yaml). The stand-in keeps
 * its own copy on purpose: it is a model of Datadog, so a mistake in the product's types shows
 * up as a disagreement instead of being shared.
 */

/** v1: one integration as ListAWSAccounts, CreateAWSAccount and UpdateAWSAccount carry it. */
export interface V1Account {
  account_id?: string;
  role_name?: string;
  access_key_id?: string;
  secret_access_key?: string;
  host_tags?: string[];
  filter_tags?: string[];
  excluded_regions?: string[];
  account_specific_namespace_rules?: Record<string, boolean>;
  metrics_collection_enabled?: boolean;
  cspm_resource_collection_enabled?: boolean;
  extended_resource_collection_enabled?: boolean;
  /** Deprecated by Datadog in favour of extended_resource_collection_enabled. */
  resource_collection_enabled?: boolean;
}

export type V2Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** v2 auth_config is one of these two; external_id is read back by GET (v1 never returned it). */
export type V2RoleAuth = { role_name: string; external_id?: string };
/** secret_access_key is write-only: never returned. */
export type V2KeysAuth = { access_key_id: string; secret_access_key?: string };
export type V2Auth = V2RoleAuth | V2KeysAuth;

/** v2's "all, or only these" choice, of aws_regions and of traces_config.xray_services. */
type AllOrOnly = { include_all: boolean } | { include_only: string[] };
/** aws_regions (default include_all); v2 has no "exclude" form. */
export type V2Regions = AllOrOnly;
/** metrics_config.namespace_filters, by CloudWatch name (AWS/EC2); Datadog's default excludes a few. */
export type V2NamespaceFilters = { exclude_only: string[] } | { include_only: string[] };

type TagFilter<Key extends string> = { [key in Key]?: string } & { tags?: string[] | null };

/** v2 attributes of one account config; only aws_account_id is always there. */
export interface V2Attributes {
  aws_account_id: string;
  aws_partition?: V2Partition;
  auth_config?: V2Auth;
  account_tags?: string[] | null;
  aws_regions?: V2Regions;
  metrics_config?: {
    enabled?: boolean;
    automute_enabled?: boolean;
    collect_cloudwatch_alarms?: boolean;
    collect_custom_metrics?: boolean;
    namespace_filters?: V2NamespaceFilters;
    tag_filters?: TagFilter<'namespace'>[];
  };
  resources_config?: { extended_collection?: boolean; cloud_security_posture_management_collection?: boolean };
  logs_config?: { lambda_forwarder?: { lambdas?: string[]; sources?: string[]; log_source_config?: { tag_filters?: TagFilter<'source'>[] } } };
  traces_config?: { xray_services?: AllOrOnly | null };
  /** Read-only: the stand-in sets them. */
  created_at?: string;
  modified_at?: string;
}

/** CreateAWSAccount also requires the partition and the auth. */
export type V2CreateAttributes = V2Attributes & Required<Pick<V2Attributes, 'aws_partition' | 'auth_config'>>;

/** One config as v2 answers it (JSON:API). */
export interface V2AccountData {
  id: string;
  type: 'account';
  attributes?: V2Attributes;
}
