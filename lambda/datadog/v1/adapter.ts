import { V1_CAPABILITIES } from '../capabilities';
import { UnsupportedByVersionError, requireExternalId } from '../errors';
import type { AwsIntegrationPort, CreateOptions, GivenExternalId, Integration, IntegrationRef, IntegrationSettings } from '../port';
import type { DatadogAwsV1Client } from './client';
import type { AWSAccount } from './types';

/** Implements the version-independent port with the v1 API. */
export class DatadogV1Integrations implements AwsIntegrationPort {
  readonly apiVersion = 'v1' as const;
  readonly capabilities = V1_CAPABILITIES;

  constructor(private readonly client: DatadogAwsV1Client) {}

  async listIntegrations(filter: { accountId?: string } = {}): Promise<Integration[]> {
    const response = await this.client.listAccounts({ accountId: filter.accountId });
    return (response.accounts ?? []).flatMap((account) => {
      const integration = fromV1Account(account);
      return integration ? [integration] : [];
    });
  }

  async createIntegration(ref: IntegrationRef, settings: IntegrationSettings, options: CreateOptions = {}): Promise<{ externalId: string }> {
    refuseGivenId(options, 'CreateAWSAccount');
    const response = await this.client.createAccount(toV1Account(ref, settings));
    return { externalId: requireExternalId(response.external_id, 'CreateAWSAccount') };
  }

  async updateIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<void> {
    await this.client.updateAccount(ref, toV1Account(ref, settings));
  }

  async deleteIntegration(ref: IntegrationRef): Promise<void> {
    await this.client.deleteAccount({ account_id: ref.accountId, role_name: ref.roleName });
  }

  async rotateExternalId(ref: IntegrationRef, given: GivenExternalId = {}): Promise<{ externalId: string }> {
    refuseGivenId(given, 'CreateNewAWSExternalID');
    const response = await this.client.createNewExternalId({ account_id: ref.accountId, role_name: ref.roleName });
    return { externalId: requireExternalId(response.external_id, 'CreateNewAWSExternalID') };
  }

  /** v1 has no external ID without an integration: the create issues it. */
  mintExternalId(): Promise<string> {
    return Promise.reject(new UnsupportedByVersionError('CreateNewAWSExternalID', 'Datadog\'s v1 API issues an external ID only with an integration (create or rotation)'));
  }

  listNamespaces(): Promise<string[]> {
    return this.client.listAvailableNamespaces();
  }
}

/** Datadog's defaults where a field is absent (schema defaults: metrics on, the rest off). */
export function fromV1Account(account: AWSAccount): Integration | undefined {
  if (!account.account_id) return undefined;
  const auth: Integration['auth'] | undefined = account.role_name
    ? { kind: 'role', roleName: account.role_name }
    : account.access_key_id
      ? { kind: 'access-key', accessKeyId: account.access_key_id }
      : undefined;
  if (!auth) return undefined;
  return {
    accountId: account.account_id,
    auth,
    settings: {
      hostTags: account.host_tags ?? [],
      filterTags: account.filter_tags ?? [],
      excludedRegions: account.excluded_regions ?? [],
      namespaceRules: account.account_specific_namespace_rules ?? {},
      metricsCollection: account.metrics_collection_enabled ?? true,
      cspmResourceCollection: account.cspm_resource_collection_enabled ?? false,
      extendedResourceCollection: account.extended_resource_collection_enabled ?? false,
    },
  };
}

export function toV1Account(ref: IntegrationRef, settings: IntegrationSettings): AWSAccount {
  return {
    account_id: ref.accountId,
    role_name: ref.roleName,
    host_tags: [...settings.hostTags],
    filter_tags: [...settings.filterTags],
    excluded_regions: [...settings.excludedRegions],
    account_specific_namespace_rules: { ...settings.namespaceRules },
    metrics_collection_enabled: settings.metricsCollection,
    cspm_resource_collection_enabled: settings.cspmResourceCollection,
    extended_resource_collection_enabled: settings.extendedResourceCollection,
  };
}

/** v1 makes every external ID itself; a caller that brings one has mixed up the versions. */
function refuseGivenId(given: GivenExternalId, operation: string): void {
  if (given.externalId !== undefined) throw new UnsupportedByVersionError(operation, "Datadog's v1 API issues external IDs itself and cannot be given one");
}
