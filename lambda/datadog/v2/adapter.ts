import { v2Capabilities } from '../capabilities';
import { DatadogApiError, requireExternalId } from '../errors';
import type { AwsIntegrationPort, CreateOptions, GivenExternalId, IntegrationRef, IntegrationSettings } from '../port';
import type { DatadogAwsV2Client } from './client';
import { PARTITION_REGIONS } from '../../domain/partition';
import { fromV2Account, toV2CreateRequest, toV2UpdateRequest, type V2Integration } from './mapping';
import { isRoleAuth, type AWSAccountPartition, type AWSAccountResponseData } from './types';

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

export interface V2AdapterOptions {
  /** aws_partition sent on create (required there by v2). Default 'aws'. */
  readonly partition?: AWSAccountPartition;
  /** Override of PARTITION_REGIONS[partition], the universe that exclusions are taken from. */
  readonly regions?: readonly string[];
}

export class DatadogV2Integrations implements AwsIntegrationPort {
  readonly apiVersion = 'v2' as const;
  /** Settings read back over the same region universe the writes use (the regions option included). */
  readonly capabilities = v2Capabilities((partition) => this.regionsOf(partition));
  private readonly partition: AWSAccountPartition;
  private readonly regionsOverride?: readonly string[];

  constructor(
    private readonly client: DatadogAwsV2Client,
    options: V2AdapterOptions = {},
  ) {
    this.partition = options.partition ?? 'aws';
    this.regionsOverride = options.regions;
  }

  /** The regions that exclusions are taken from: the account's partition's (the option overrides). */
  private regionsOf(partition: AWSAccountPartition | undefined): readonly string[] {
    return this.regionsOverride ?? PARTITION_REGIONS[partition ?? this.partition];
  }

  async listIntegrations(filter: { accountId?: string } = {}): Promise<V2Integration[]> {
    const response = await this.client.listAccounts({ awsAccountId: filter.accountId });
    return (response.data ?? []).flatMap((data) => {
      const integration = fromV2Account(data, this.regionsOf(data.attributes?.aws_partition));
      return integration ? [integration] : [];
    });
  }

  /**
   * CreateAWSAccount. With a given external ID (from mintExternalId, the order Datadog's own
   * Terraform and Pulumi docs show) it goes in auth_config and the integration starts with
   * it. Without one, Datadog makes one and returns it in auth_config; the document does not
   * promise that, so if the response carries none, one is minted and PATCHed in.
   */
  async createIntegration(ref: IntegrationRef, settings: IntegrationSettings, options: CreateOptions = {}): Promise<{ externalId: string }> {
    const partition = options.partition ?? this.partition;
    const response = await this.client.createAccount(toV2CreateRequest(ref, settings, partition, this.regionsOf(partition), options.externalId));
    const auth = response.data?.attributes?.auth_config;
    const externalId = (isRoleAuth(auth) ? auth.external_id : undefined) || options.externalId;
    if (externalId) return { externalId };
    return { externalId: await this.setExternalId(ref, response.data.id, await this.mintExternalId()) };
  }

  /**
   * PATCH with the fields we own. Sub-objects are sent whole (the document does not say whether
   * PATCH merges inside metrics_config/resources_config), so what we do not own there
   * (automute, alarms, custom metrics, tag filters of other namespaces) is carried over from
   * the current config read by the list call. auth_config is never sent: the external ID stays.
   */
  async updateIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<void> {
    const current = await this.findConfig(ref, 'UpdateAWSAccount');
    await this.client.updateAccount(current.id, toV2UpdateRequest(ref, settings, this.regionsOf(current.attributes?.aws_partition), current));
  }

  async deleteIntegration(ref: IntegrationRef): Promise<void> {
    const current = await this.findConfig(ref, 'DeleteAWSAccount');
    await this.client.deleteAccount(current.id);
  }

  /**
   * v2 rotation is two steps (v1 was one PUT naming the account):
   * 1. POST generate_new_external_id (no body) mints an ID tied to no account. Datadog's
   *    Terraform/Pulumi docs: it must be used within 48 hours or it expires. A given ID
   *    (minted earlier, e.g. already written into the role) skips this step.
   * 2. PATCH the integration's auth_config { role_name, external_id } at once, so the ID is
   *    used well within its validity. From then on Datadog assumes the role with it: the
   *    caller writes it into the role's trust policy (as with v1).
   * The config is looked up first, so an unknown integration mints nothing. If the PATCH
   * fails, the minted ID is never used and expires: nothing to undo.
   */
  async rotateExternalId(ref: IntegrationRef, given: GivenExternalId = {}): Promise<{ externalId: string }> {
    const current = await this.findConfig(ref, 'CreateNewAWSExternalID');
    return { externalId: await this.setExternalId(ref, current.id, given.externalId ?? (await this.mintExternalId())) };
  }

  async mintExternalId(): Promise<string> {
    const minted = await this.client.createNewExternalId();
    return requireExternalId(minted.data?.attributes?.external_id, 'CreateNewAWSExternalID');
  }

  private async setExternalId(ref: IntegrationRef, configId: string, externalId: string): Promise<string> {
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
