import type { DatadogAwsV1Client } from '../../lambda/datadog/v1/client';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import type { IntegrationApi } from './integration-api';
import { authLabel, cspmTurnsOnResources, describeRow, LIST_HEADERS, nothingToUpdate, type SettingsOptions } from './integration-common';

/** `integration ...` over Datadog's v1 API: an integration is addressed by account ID + role name. */

/** Only the fields the user gave: an update leaves everything else as Datadog has it. */
function settingsBody(options: SettingsOptions): AWSAccount {
  const body: AWSAccount = {};
  if (options.hostTag) body.host_tags = options.hostTag;
  if (options.filterTag) body.filter_tags = options.filterTag;
  if (options.excludedRegion) body.excluded_regions = options.excludedRegion;
  if (options.namespace) body.account_specific_namespace_rules = options.namespace;
  if (options.metrics !== undefined) body.metrics_collection_enabled = options.metrics;
  if (options.resourceCollection !== undefined) body.extended_resource_collection_enabled = options.resourceCollection;
  if (options.cspm !== undefined) body.cspm_resource_collection_enabled = options.cspm;
  if (cspmTurnsOnResources(options)) body.extended_resource_collection_enabled = true;
  return body;
}

function describeAccount(account: AWSAccount): string[] {
  return describeRow({
    accountId: account.account_id,
    auth: authLabel(account.role_name, account.access_key_id),
    metrics: account.metrics_collection_enabled,
    resources: account.extended_resource_collection_enabled ?? account.resource_collection_enabled,
    cspm: account.cspm_resource_collection_enabled,
    hostTags: account.host_tags,
    filterTags: account.filter_tags,
    excludedRegions: account.excluded_regions,
    namespaceRules: account.account_specific_namespace_rules,
  });
}

export function v1IntegrationApi(client: DatadogAwsV1Client): IntegrationApi {
  return {
    async list(filter) {
      const body = await client.listAccounts({ accountId: filter.accountId, roleName: filter.roleName });
      return { body, headers: LIST_HEADERS, rows: (body.accounts ?? []).map(describeAccount) };
    },
    async create(ref, settings) {
      const body = await client.createAccount({ account_id: ref.accountId, role_name: ref.roleName, ...settingsBody(settings) });
      return { body, externalId: body.external_id };
    },
    async update(ref, settings) {
      const changes = settingsBody(settings);
      if (Object.keys(changes).length === 0) throw nothingToUpdate();
      const body = await client.updateAccount(
        { accountId: ref.accountId, roleName: ref.roleName },
        { account_id: ref.accountId, role_name: ref.roleName, ...changes },
      );
      return { body, fields: Object.keys(changes) };
    },
    async delete(ref) {
      return { body: await client.deleteAccount({ account_id: ref.accountId, role_name: ref.roleName }) };
    },
    async namespaces() {
      const names = await client.listAvailableNamespaces();
      return { body: names, names };
    },
    async rotateExternalId(ref) {
      const body = await client.createNewExternalId({ account_id: ref.accountId, role_name: ref.roleName });
      return { body, externalId: body.external_id };
    },
  };
}
