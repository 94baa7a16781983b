import { DatadogApiError, requireExternalId } from '../../lambda/datadog/errors';
import type { DatadogAwsV2Client } from '../../lambda/datadog/v2/client';
import { filtersFromRules, fromV2Account, regionsFromExcluded, withEc2TagFilters } from '../../lambda/datadog/v2/mapping';
import { PARTITION_REGIONS } from '../../lambda/domain/partition';
import {
  isRoleAuth,
  type AWSAccountPartition,
  type AWSAccountResponseAttributes,
  type AWSAccountResponseData,
  type AWSAccountUpdateRequestAttributes,
} from '../../lambda/datadog/v2/types';
import { InputError } from '../../lambda/domain/errors';
import { overridesOfDefaults } from '../namespaces';
import type { IntegrationApi } from './integration-api';
import * as common from './integration-common';
import type { RefOptions, SettingsOptions } from './integration-common';

/**
 * `integration ...` over Datadog's v2 API. An integration is found by account ID + role name
 * (one list call filtered by aws_account_id) and then addressed by its config UUID. The body
 * answered is Datadog's v2 body as it came (update and rotate: the PATCH response).
 */

const SETTINGS: readonly (keyof SettingsOptions)[] = ['hostTag', 'filterTag', 'excludedRegion', 'namespace', 'metrics', 'cspm', 'resourceCollection'];

type Settable = Omit<AWSAccountUpdateRequestAttributes, 'aws_account_id'>;

/**
 * Only the attributes the user gave, in v2's shape. metrics_config and resources_config are
 * sent whole (the document does not say whether PATCH merges inside them), so what is not
 * given there is carried over from `current`.
 * - --excluded-region: v2 has no exclusion list; sent as include_only = the partition's known
 *   regions minus the excluded ones. A region the partition does not know is refused.
 * - --namespace: as in v1, the rules are overrides of Datadog's defaults and replace the
 *   integration's; v2 holds them as one exclude_only list.
 * - --filter-tag: the AWS/EC2 tag filter; other namespaces' tag filters are kept.
 */
export function v2Settings(options: SettingsOptions, partition: AWSAccountPartition, current?: AWSAccountResponseAttributes): Settable {
  const attributes: Settable = {};
  if (options.hostTag) attributes.account_tags = options.hostTag;
  if (options.excludedRegion) attributes.aws_regions = regionsFromExcluded(options.excludedRegion, knownRegions(options.excludedRegion, partition));
  if (options.filterTag || options.namespace || options.metrics !== undefined) {
    const metrics = structuredClone(current?.metrics_config ?? {});
    if (options.metrics !== undefined) metrics.enabled = options.metrics;
    if (options.namespace) metrics.namespace_filters = filtersFromRules(options.namespace);
    if (options.filterTag) metrics.tag_filters = withEc2TagFilters(metrics.tag_filters, options.filterTag);
    attributes.metrics_config = metrics;
  }
  const extended = common.cspmTurnsOnResources(options) ? true : options.resourceCollection;
  if (extended !== undefined || options.cspm !== undefined) {
    attributes.resources_config = {
      ...structuredClone(current?.resources_config ?? {}),
      ...(extended !== undefined && { extended_collection: extended }),
      ...(options.cspm !== undefined && { cloud_security_posture_management_collection: options.cspm }),
    };
  }
  return attributes;
}

/** The partition's known regions, once every excluded one is among them. */
function knownRegions(excluded: readonly string[], partition: AWSAccountPartition): readonly string[] {
  const regions = PARTITION_REGIONS[partition];
  const unknown = excluded.filter((region) => !regions.includes(region.toLowerCase()));
  if (unknown.length) {
    throw new InputError(
      `--excluded-region ${unknown.join(', ')}: not a region of partition ${partition} that this version knows; v2 has no exclusion ` +
        `list, so the CLI sends the partition's other known regions as include_only (known: ${regions.join(', ')})`,
    );
  }
  return regions;
}

export function v2IntegrationApi(client: DatadogAwsV2Client): IntegrationApi {
  return {
    async list(filter) {
      const response = await client.listAccounts({ awsAccountId: filter.accountId });
      // v2 filters by account only: the role name is matched here.
      const data = (response.data ?? []).filter((item) => filter.roleName === undefined || roleOf(item) === filter.roleName);
      const body = filter.roleName === undefined ? response : { ...response, data };
      return { body, headers: [...common.LIST_HEADERS, 'EXTERNAL ID', 'CONFIG ID'], rows: data.map(describeConfig) };
    },

    async create(ref, settings, partition) {
      const body = await client.createAccount({
        data: {
          type: 'account',
          attributes: { aws_account_id: ref.accountId, aws_partition: partition, auth_config: { role_name: ref.roleName }, ...v2Settings(settings, partition) },
        },
      });
      const auth = body.data?.attributes?.auth_config;
      return { body, externalId: (isRoleAuth(auth) && auth.external_id) || undefined };
    },

    async update(ref, settings) {
      if (!SETTINGS.some((key) => settings[key] !== undefined)) throw common.nothingToUpdate();
      const current = await findConfig(client, ref, 'UpdateAWSAccount');
      const changes = v2Settings(settings, current.attributes?.aws_partition ?? 'aws', current.attributes);
      const body = await client.updateAccount(current.id, {
        data: { id: current.id, type: 'account', attributes: { aws_account_id: ref.accountId, ...changes } },
      });
      return { body, fields: Object.keys(changes) };
    },

    async delete(ref) {
      const current = await findConfig(client, ref, 'DeleteAWSAccount');
      await client.deleteAccount(current.id);
      // Datadog answers 204 with no body: {} stands for it.
      return { body: {} };
    },

    async namespaces() {
      const body = await client.listNamespaces();
      return { body, names: body.data?.attributes?.namespaces ?? [] };
    },

    /** Mint a new external ID, then PATCH it into the integration's auth_config. */
    async rotateExternalId(ref) {
      // Found first, so an unknown integration mints nothing.
      const current = await findConfig(client, ref, 'CreateNewAWSExternalID');
      const minted = await client.createNewExternalId();
      const externalId = requireExternalId(minted.data?.attributes?.external_id, 'CreateNewAWSExternalID');
      const body = await client.updateAccount(current.id, {
        data: {
          id: current.id,
          type: 'account',
          attributes: { aws_account_id: ref.accountId, auth_config: { role_name: ref.roleName, external_id: externalId } },
        },
      });
      return { body, externalId };
    },
  };
}

function describeConfig(item: AWSAccountResponseData): string[] {
  const integration = fromV2Account(item, PARTITION_REGIONS[item.attributes?.aws_partition ?? 'aws']);
  const auth = item.attributes?.auth_config;
  const base = common.describeRow({
    accountId: item.attributes?.aws_account_id,
    auth: common.authLabel(roleOf(item), auth && !isRoleAuth(auth) ? auth.access_key_id : undefined),
    ...(integration && {
      metrics: integration.settings.metricsCollection,
      resources: integration.settings.extendedResourceCollection,
      cspm: integration.settings.cspmResourceCollection,
      hostTags: integration.settings.hostTags,
      filterTags: integration.settings.filterTags,
      excludedRegions: integration.settings.excludedRegions,
      namespaceRules: overridesOfDefaults(integration.settings.namespaceRules),
    }),
  });
  return [...base, integration?.externalId ?? '', item.id];
}

function roleOf(data: AWSAccountResponseData): string | undefined {
  const auth = data.attributes?.auth_config;
  return isRoleAuth(auth) ? auth.role_name : undefined;
}

async function findConfig(client: DatadogAwsV2Client, ref: RefOptions, operation: string): Promise<AWSAccountResponseData> {
  const response = await client.listAccounts({ awsAccountId: ref.accountId });
  const found = (response.data ?? []).find((data) => data.attributes?.aws_account_id === ref.accountId && roleOf(data) === ref.roleName);
  if (found) return found;
  throw new DatadogApiError(operation, 'not-found', undefined, [], `${operation} failed: no Datadog AWS integration for account ${ref.accountId} with role ${ref.roleName}`);
}
