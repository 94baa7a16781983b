import { DatadogApiError } from '../errors';
import type { AwsIntegrationPort, Integration, IntegrationRef, IntegrationSettings } from '../port';
import type { DatadogAwsV2Client } from './client';
import {
  isKeysAuth,
  isRoleAuth,
  type AWSAccountCreateRequest,
  type AWSAccountPartition,
  type AWSAccountResponseAttributes,
  type AWSAccountResponseData,
  type AWSAccountUpdateRequest,
  type AWSMetricsConfig,
  type AWSNamespaceFilters,
  type AWSNamespaceTagFilter,
  type AWSRegions,
} from './types';

/**
 * The version-independent port over Datadog's v2 AWS integration API.
 *
 * What v1 and v2 share: the integration is still "an AWS account ID + an IAM role name (or an
 * access key)", Datadog still assumes the role with an external ID it issues, and the same
 * settings exist in both (tags, EC2 filter tags, regions, namespaces, metrics on/off, CSPM and
 * extended resource collection). What differs, and how each port field is mapped, is
 * documented on fromV2Account / toV2Attributes below. In short:
 * - v2 addresses an integration by a config UUID, not by account ID + role name. Every
 *   write first finds the UUID with ONE list call filtered by aws_account_id, then matches
 *   the role name; absent -> DatadogApiError kind 'not-found' (v1 answered 400 instead).
 * - v2 returns auth_config.external_id on list/get, so Integration.externalId is filled.
 * - v2 creates need aws_partition (v1 had none): the adapter's `partition` option (default aws).
 */

/** Datadog's documented default of metrics_config.namespace_filters when it is absent. */
export const V2_DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ['AWS/SQS', 'AWS/ElasticMapReduce', 'AWS/Usage'];

/** The namespace whose tag filters are v1's filter_tags ("EC2 tags ... only hosts that match"). */
export const EC2_NAMESPACE = 'AWS/EC2';

/**
 * Regions per partition, used to turn v1-style exclusions into v2's include_only list (v2 has
 * no "exclude" form). A snapshot (2026); a region missing here is treated as unknown: it can
 * not be excluded, and when it is outside include_only it does not show as excluded.
 */
export const PARTITION_REGIONS: Readonly<Record<AWSAccountPartition, readonly string[]>> = {
  aws: [
    'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
    'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
    'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1',
    'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
    'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2',
    'us-west-1', 'us-west-2',
  ],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
};

export interface V2AdapterOptions {
  /** aws_partition sent on create (required there by v2). Default 'aws'. */
  readonly partition?: AWSAccountPartition;
  /** Override of PARTITION_REGIONS[partition], the universe that exclusions are taken from. */
  readonly regions?: readonly string[];
}

/** An Integration as v2 knows it: with its config UUID and partition. */
export interface V2Integration extends Integration {
  readonly configId: string;
  readonly partition?: AWSAccountPartition;
}

export class DatadogV2Integrations implements AwsIntegrationPort {
  readonly apiVersion = 'v2' as const;
  private readonly partition: AWSAccountPartition;
  private readonly regions: readonly string[];

  constructor(
    private readonly client: DatadogAwsV2Client,
    options: V2AdapterOptions = {},
  ) {
    this.partition = options.partition ?? 'aws';
    this.regions = options.regions ?? PARTITION_REGIONS[this.partition];
  }

  async listIntegrations(filter: { accountId?: string } = {}): Promise<V2Integration[]> {
    const response = await this.client.listAccounts({ awsAccountId: filter.accountId });
    return (response.data ?? []).flatMap((data) => {
      const integration = fromV2Account(data, this.regions);
      return integration ? [integration] : [];
    });
  }

  /**
   * CreateAWSAccount with auth_config { role_name } only. auth_config.external_id is optional
   * in the document; when omitted we expect Datadog to generate one and return it in the
   * response's auth_config (v1 returned a top-level external_id). The document does not
   * promise that, so if the response carries none, the ID is set with the rotation flow
   * (mint, then PATCH), which the document does support. Datadog's Terraform/Pulumi docs
   * show the other order (mint first, pass it to create); both end in the same state.
   */
  async createIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<{ externalId: string }> {
    const response = await this.client.createAccount(toV2CreateRequest(ref, settings, this.partition, this.regions));
    const auth = response.data?.attributes?.auth_config;
    const externalId = isRoleAuth(auth) ? auth.external_id : undefined;
    if (externalId) return { externalId };
    return { externalId: await this.mintAndSet(ref, response.data.id) };
  }

  /**
   * PATCH with the fields we own. Sub-objects are sent whole (the document does not say whether
   * PATCH merges inside metrics_config/resources_config), so what we do not own there
   * (automute, alarms, custom metrics, tag filters of other namespaces) is carried over from
   * the current config read by the list call. auth_config is never sent: the external ID stays.
   */
  async updateIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<void> {
    const current = await this.findConfig(ref, 'UpdateAWSAccount');
    await this.client.updateAccount(current.id, toV2UpdateRequest(ref, settings, this.regions, current));
  }

  async deleteIntegration(ref: IntegrationRef): Promise<void> {
    const current = await this.findConfig(ref, 'DeleteAWSAccount');
    await this.client.deleteAccount(current.id);
  }

  /**
   * v2 rotation is two steps (v1 was one PUT naming the account):
   * 1. POST generate_new_external_id (no body) mints an ID tied to no account. Datadog's
   *    Terraform/Pulumi docs: it must be used within 48 hours or it expires.
   * 2. PATCH the integration's auth_config { role_name, external_id: new } at once, so the ID
   *    is in use well within its validity. From then on Datadog assumes the role with the new
   *    ID: the caller must write it into the role's trust policy (as with v1).
   * The config is looked up first, so an unknown integration mints nothing.
   */
  async rotateExternalId(ref: IntegrationRef): Promise<{ externalId: string }> {
    const current = await this.findConfig(ref, 'CreateNewAWSExternalID');
    return { externalId: await this.mintAndSet(ref, current.id) };
  }

  /**
   * Mint an external ID, then PATCH it into the config's auth_config at once. If the PATCH
   * fails, the minted ID is simply never used and expires (48 hours): nothing to undo.
   */
  private async mintAndSet(ref: IntegrationRef, configId: string): Promise<string> {
    const minted = await this.client.createNewExternalId();
    const externalId = requireExternalId(minted.data?.attributes?.external_id, 'CreateNewAWSExternalID');
    await this.client.updateAccount(configId, {
      data: {
        id: configId,
        type: 'account',
        attributes: { aws_account_id: ref.accountId, auth_config: { role_name: ref.roleName, external_id: externalId } },
      },
    });
    return externalId;
  }

  /** v2 names are CloudWatch namespaces (AWS/EC2), not v1's rule keys (ec2). */
  async listNamespaces(): Promise<string[]> {
    const response = await this.client.listNamespaces();
    return [...(response.data?.attributes?.namespaces ?? [])];
  }

  /** The config of account ID + role name: one list call filtered by aws_account_id. */
  private async findConfig(ref: IntegrationRef, operation: string): Promise<AWSAccountResponseData> {
    const response = await this.client.listAccounts({ awsAccountId: ref.accountId });
    const found = (response.data ?? []).find((data) => {
      const auth = data.attributes?.auth_config;
      return data.attributes?.aws_account_id === ref.accountId && isRoleAuth(auth) && auth.role_name === ref.roleName;
    });
    if (found) return found;
    throw new DatadogApiError(
      operation,
      'not-found',
      undefined,
      [],
      `${operation} failed: no Datadog AWS integration for account ${ref.accountId} with role ${ref.roleName}`,
    );
  }
}

/**
 * Datadog v2 config -> the port's Integration; undefined when it has no account ID or no
 * recognisable auth. Absent fields take Datadog's documented v2 defaults:
 * - account_tags (null/absent -> []) -> hostTags. Same meaning as v1 host_tags.
 * - metrics_config.tag_filters, AWS/EC2 entries only -> filterTags. v1's filter_tags were
 *   EC2-only; tag filters of other namespaces have no port field (kept on update, see above).
 * - aws_regions -> excludedRegions: include_all (or absent) -> []; include_only -> the
 *   partition's known regions NOT in the list. Meaning differs: v1 exclusions let new AWS
 *   regions in automatically, a v2 include_only list does not.
 * - metrics_config.namespace_filters -> namespaceRules: exclude_only -> { ns: false },
 *   include_only -> { ns: true }; absent -> Datadog's default exclude_only
 *   (AWS/SQS, AWS/ElasticMapReduce, AWS/Usage). Keys are CloudWatch names (AWS/EC2).
 * - metrics_config.enabled (default true) -> metricsCollection. Same meaning.
 * - resources_config.cloud_security_posture_management_collection (default false) -> cspm.
 * - resources_config.extended_collection (default TRUE in v2; v1 defaulted to false) -> extended.
 * - auth_config.external_id -> externalId (v1 never returned it).
 */
export function fromV2Account(data: AWSAccountResponseData, regions: readonly string[] = PARTITION_REGIONS.aws): V2Integration | undefined {
  const a: AWSAccountResponseAttributes | undefined = data.attributes;
  if (!a?.aws_account_id) return undefined;
  const authConfig = a.auth_config;
  let auth: Integration['auth'];
  let externalId: string | undefined;
  if (isRoleAuth(authConfig)) {
    auth = { kind: 'role', roleName: authConfig.role_name };
    externalId = authConfig.external_id || undefined;
  } else if (isKeysAuth(authConfig)) {
    auth = { kind: 'access-key', accessKeyId: authConfig.access_key_id };
  } else {
    return undefined;
  }
  const metrics = a.metrics_config ?? {};
  return {
    configId: data.id,
    accountId: a.aws_account_id,
    auth,
    ...(externalId ? { externalId } : {}),
    ...(a.aws_partition ? { partition: a.aws_partition } : {}),
    settings: {
      hostTags: [...(a.account_tags ?? [])],
      filterTags: (metrics.tag_filters ?? []).filter((f) => f.namespace === EC2_NAMESPACE).flatMap((f) => f.tags ?? []),
      excludedRegions: excludedFromRegions(a.aws_regions, regions),
      namespaceRules: rulesFromFilters(metrics.namespace_filters),
      metricsCollection: metrics.enabled ?? true,
      cspmResourceCollection: a.resources_config?.cloud_security_posture_management_collection ?? false,
      extendedResourceCollection: a.resources_config?.extended_collection ?? true,
    },
  };
}

/** The attributes we own, in v2 shape (the inverse of fromV2Account). */
export interface V2OwnedAttributes {
  account_tags: string[];
  aws_regions: AWSRegions;
  metrics_config: AWSMetricsConfig;
  resources_config: { cloud_security_posture_management_collection: boolean; extended_collection: boolean };
}

/**
 * Port settings -> v2 attributes:
 * - hostTags -> account_tags.
 * - filterTags -> metrics_config.tag_filters [{ namespace: AWS/EC2, tags }] (none when empty),
 *   after the current config's filters of other namespaces (carried over unchanged).
 * - excludedRegions -> aws_regions: [] -> { include_all: true }; else include_only = the
 *   partition's known regions minus the excluded ones (an unknown excluded region is ignored).
 * - namespaceRules -> metrics_config.namespace_filters (see filtersFromRules).
 * - metricsCollection -> metrics_config.enabled.
 * - cspm / extended -> resources_config. v2 says CSPM requires extended_collection: true; the
 *   pipeline's desiredSettings already turns extended on with CSPM, so values pass as given.
 */
export function toV2Attributes(
  settings: IntegrationSettings,
  regions: readonly string[] = PARTITION_REGIONS.aws,
  current?: AWSAccountResponseAttributes,
): V2OwnedAttributes {
  const otherTagFilters: AWSNamespaceTagFilter[] = (current?.metrics_config?.tag_filters ?? []).filter((f) => f.namespace !== EC2_NAMESPACE);
  const tagFilters = settings.filterTags.length ? [{ namespace: EC2_NAMESPACE, tags: [...settings.filterTags] }] : [];
  return {
    account_tags: [...settings.hostTags],
    aws_regions: regionsFromExcluded(settings.excludedRegions, regions),
    metrics_config: {
      ...structuredClone(current?.metrics_config ?? {}),
      enabled: settings.metricsCollection,
      namespace_filters: filtersFromRules(settings.namespaceRules),
      tag_filters: [...structuredClone(otherTagFilters), ...tagFilters],
    },
    resources_config: {
      ...structuredClone(current?.resources_config ?? {}),
      cloud_security_posture_management_collection: settings.cspmResourceCollection,
      extended_collection: settings.extendedResourceCollection,
    },
  };
}

export function toV2CreateRequest(
  ref: IntegrationRef,
  settings: IntegrationSettings,
  partition: AWSAccountPartition = 'aws',
  regions: readonly string[] = PARTITION_REGIONS[partition],
): AWSAccountCreateRequest {
  return {
    data: {
      type: 'account',
      attributes: {
        aws_account_id: ref.accountId,
        aws_partition: partition,
        // No external_id: Datadog generates one and returns it in the response.
        auth_config: { role_name: ref.roleName },
        ...toV2Attributes(settings, regions),
      },
    },
  };
}

export function toV2UpdateRequest(
  ref: IntegrationRef,
  settings: IntegrationSettings,
  regions: readonly string[] = PARTITION_REGIONS.aws,
  current?: AWSAccountResponseData,
): AWSAccountUpdateRequest {
  return {
    data: {
      ...(current ? { id: current.id } : {}),
      type: 'account',
      attributes: { aws_account_id: ref.accountId, ...toV2Attributes(settings, regions, current?.attributes) },
    },
  };
}

/**
 * namespaceRules -> namespace_filters. v1 rules are per-namespace overrides of "collect";
 * v2 is either an exclusion list or an inclusion list, not both:
 * - no rule is true -> { exclude_only: [the false ones] } ({} -> exclude_only: [], i.e.
 *   collect everything: explicit, so it reads back as {} and never drifts; Datadog's own
 *   default would exclude AWS/SQS, AWS/ElasticMapReduce, AWS/Usage);
 * - some rule is true -> { include_only: [the true ones] }; the false ones are implied (a
 *   namespace not included is not collected), and they do not read back: compare desired
 *   settings through normalizeNamespaceRulesV2 to avoid a permanent drift.
 */
export function filtersFromRules(rules: Readonly<Record<string, boolean>>): AWSNamespaceFilters {
  const entries = Object.entries(rules);
  const included = entries.filter(([, on]) => on).map(([ns]) => ns);
  if (included.length) return { include_only: included };
  return { exclude_only: entries.map(([ns]) => ns) };
}

export function rulesFromFilters(filters: AWSNamespaceFilters | undefined): Record<string, boolean> {
  const value = filters ?? { exclude_only: [...V2_DEFAULT_EXCLUDED_NAMESPACES] };
  if ('include_only' in value && Array.isArray(value.include_only)) return Object.fromEntries(value.include_only.map((ns) => [ns, true]));
  if ('exclude_only' in value && Array.isArray(value.exclude_only)) return Object.fromEntries(value.exclude_only.map((ns) => [ns, false]));
  return {};
}

/** What v2 can hold of these rules: rulesFromFilters(filtersFromRules(rules)). */
export function normalizeNamespaceRulesV2(rules: Readonly<Record<string, boolean>>): Record<string, boolean> {
  return rulesFromFilters(filtersFromRules(rules));
}

export function regionsFromExcluded(excluded: readonly string[], regions: readonly string[]): AWSRegions {
  if (!excluded.length) return { include_all: true };
  const out = new Set(excluded.map((r) => r.toLowerCase()));
  return { include_only: regions.filter((r) => !out.has(r.toLowerCase())) };
}

export function excludedFromRegions(value: AWSRegions | undefined, regions: readonly string[]): string[] {
  if (!value || !('include_only' in value) || !Array.isArray(value.include_only)) {
    // include_all: true (the default). include_all: false is not documented; read as "all".
    return [];
  }
  const included = new Set(value.include_only.map((r) => r.toLowerCase()));
  return regions.filter((r) => !included.has(r.toLowerCase()));
}

function requireExternalId(externalId: string | undefined, operation: string): string {
  if (externalId) return externalId;
  throw new DatadogApiError(operation, 'unexpected', 200, [], `${operation} answered without an external_id`);
}
