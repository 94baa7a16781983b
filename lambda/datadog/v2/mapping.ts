import { PARTITION_REGIONS } from '../../domain/partition';
import type { IntegrationSettings, Integration, IntegrationRef } from '../port';
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
 * How the port's settings and Datadog's v2 account configs correspond, both ways. Pure: the
 * adapter uses it to talk to Datadog, and the planner to compare settings in v2's terms.
 */

/** Datadog's documented default of metrics_config.namespace_filters when it is absent. */
export const V2_DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ['AWS/SQS', 'AWS/ElasticMapReduce', 'AWS/Usage'];

/** The namespace whose tag filters are v1's filter_tags ("EC2 tags ... only hosts that match"). */
export const EC2_NAMESPACE = 'AWS/EC2';


/** The stand-ins read the table from here until they carry their own. */
export { PARTITION_REGIONS };

/** An Integration as v2 knows it: with its config UUID and partition. */
export interface V2Integration extends Integration {
  readonly configId: string;
  readonly partition?: AWSAccountPartition;
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
  return {
    account_tags: [...settings.hostTags],
    aws_regions: regionsFromExcluded(settings.excludedRegions, regions),
    metrics_config: {
      ...structuredClone(current?.metrics_config ?? {}),
      enabled: settings.metricsCollection,
      namespace_filters: filtersFromRules(settings.namespaceRules),
      tag_filters: withEc2TagFilters(current?.metrics_config?.tag_filters, settings.filterTags),
    },
    resources_config: {
      ...structuredClone(current?.resources_config ?? {}),
      cloud_security_posture_management_collection: settings.cspmResourceCollection,
      extended_collection: settings.extendedResourceCollection,
    },
  };
}

/** The tag filters with the AWS/EC2 one set to these tags (none: removed); other namespaces' filters are kept as they are. */
export function withEc2TagFilters(current: readonly AWSNamespaceTagFilter[] | undefined, filterTags: readonly string[]): AWSNamespaceTagFilter[] {
  const others = structuredClone((current ?? []).filter((filter) => filter.namespace !== EC2_NAMESPACE));
  return [...others, ...(filterTags.length ? [{ namespace: EC2_NAMESPACE, tags: [...filterTags] }] : [])];
}

export function toV2CreateRequest(
  ref: IntegrationRef,
  settings: IntegrationSettings,
  partition: AWSAccountPartition = 'aws',
  regions: readonly string[] = PARTITION_REGIONS[partition],
  externalId?: string,
): AWSAccountCreateRequest {
  return {
    data: {
      type: 'account',
      attributes: {
        aws_account_id: ref.accountId,
        aws_partition: partition,
        // Without an external_id, Datadog makes one and returns it in the response.
        auth_config: { role_name: ref.roleName, ...(externalId ? { external_id: externalId } : {}) },
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
 * namespaceRules -> namespace_filters. The rules mean what they mean in v1: overrides of
 * Datadog's defaults (every namespace collected except AWS/SQS, AWS/ElasticMapReduce and
 * AWS/Usage; both of Datadog's documents say so). v2 holds that exactly as an exclusion list:
 * exclude_only = (the defaults + the rules set to false) - the rules set to true, sorted.
 * include_only is never sent: it would stop every namespace Datadog adds later. So {} reads
 * back as Datadog's defaults, and { 'AWS/SQS': true } as "collect SQS too", as in v1.
 */
export function filtersFromRules(rules: Readonly<Record<string, boolean>>): AWSNamespaceFilters {
  const excluded = new Set(V2_DEFAULT_EXCLUDED_NAMESPACES);
  for (const [namespace, collect] of Object.entries(rules)) {
    if (collect) excluded.delete(namespace);
    else excluded.add(namespace);
  }
  return { exclude_only: [...excluded].sort() };
}

/**
 * namespace_filters -> rules, as overrides of Datadog's defaults (the inverse of
 * filtersFromRules, so the read form is a fixed point): exclude_only X -> { x: false } for each
 * x in X, plus { d: true } for each default exclusion d not in X. include_only (set by someone
 * else) -> { ns: true } for each, which never equals what we send, so it shows as drift.
 */
export function rulesFromFilters(filters: AWSNamespaceFilters | undefined): Record<string, boolean> {
  const value = filters ?? { exclude_only: [...V2_DEFAULT_EXCLUDED_NAMESPACES] };
  if ('include_only' in value && Array.isArray(value.include_only)) return Object.fromEntries(value.include_only.map((ns) => [ns, true]));
  if (!('exclude_only' in value) || !Array.isArray(value.exclude_only)) return {};
  const excluded = value.exclude_only;
  const lifted = V2_DEFAULT_EXCLUDED_NAMESPACES.filter((ns) => !excluded.includes(ns));
  return Object.fromEntries([...excluded.map((ns) => [ns, false] as const), ...lifted.map((ns) => [ns, true] as const)]);
}

/** What v2 holds of these rules: rulesFromFilters(filtersFromRules(rules)). */
export function normalizeNamespaceRulesV2(rules: Readonly<Record<string, boolean>>): Record<string, boolean> {
  return rulesFromFilters(filtersFromRules(rules));
}

/**
 * The settings as v2 will read them back after they are written: excluded regions outside the
 * known list are lost and namespace rules become one exclusion list. The planner compares in
 * these terms, so what v2 cannot hold does not show as drift on every run.
 */
export function settingsAsV2Reads(settings: IntegrationSettings, regions: readonly string[] = PARTITION_REGIONS.aws): IntegrationSettings {
  const written: AWSAccountResponseData = {
    id: 'round-trip',
    type: 'account',
    attributes: { aws_account_id: '000000000000', auth_config: { role_name: 'round-trip' }, ...toV2Attributes(settings, regions) },
  };
  return fromV2Account(written, regions)!.settings;
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

