import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from './aws-config';
import type { Config } from './config/schema';
import { createDatadogHttp, integrationPortOver, type DatadogDependencies } from './datadog/factory';
import type { AwsIntegrationPort } from './datadog/port';
import { datadogTargets, type DatadogTargets } from './datadog/targets';
import { routingOf } from './config/profiles';
import { DatadogAwsV2Client } from './datadog/v2/client';
import type { DatadogPermissions } from './domain/datadog-permissions';
import { DatadogPermissionSource } from './observe/datadog-permissions';
import type { MemberAccess } from './observe/member-access';
import { OrganizationsReader } from './observe/organizations';

export type DatadogOptions = Omit<DatadogDependencies, 'env' | 'secretsManager'> & {
  /** Told when Datadog's permission lists cannot be read and the pinned list is used. */
  readonly onPermissionsFallback?: (reason: string) => void;
};

/** What the org-wide runs read through: Organizations, Datadog and (to read roles) the member accounts. */
export interface OrganizationDependencies {
  readonly organizationsClient: OrganizationsClient;
  readonly organizations: OrganizationsReader;
  /** The default target's port. */
  readonly datadog: AwsIntegrationPort;
  /** Every target's port (one per Datadog organization the profiles report to), the default's included. */
  readonly targets?: DatadogTargets;
  /** Datadog's current IAM permission lists, that read roles are compared with (the pinned list when absent). */
  readonly permissions?: () => Promise<DatadogPermissions>;
  /** Needed to read roles (the CLI's plan and apply; the per-account runs read them too). */
  readonly memberAccess?: MemberAccess;
  readonly now: () => Date;
}

/** Organizations and Datadog: what the org-wide reconciler reads (no IAM or STS loaded). */
export function organizationDependencies(config: Config, env: NodeJS.ProcessEnv, datadog: DatadogOptions = {}): OrganizationDependencies {
  const aws = awsClientConfig(env);
  const organizationsClient = new OrganizationsClient(aws);
  // One Secrets Manager client, built only when a secret is read.
  let secrets: SecretsManagerClient | undefined;
  const httpDeps = { ...datadog, env, secretsManager: () => (secrets ??= new SecretsManagerClient(aws)) };
  // The default target's HTTP client: its keys are read once for the integration API and the permission lists.
  const http = createDatadogHttp(config.datadog, httpDeps);
  const routing = routingOf(config);
  // Each other target: its own client and keys (its secret), made when first used.
  const ports = new Map(
    routing.targets.map((target) => [
      target.name,
      target.isDefault ? integrationPortOver(config.datadog.apiVersion, http) : integrationPortOver(target.datadog.apiVersion, createDatadogHttp(target.datadog, httpDeps)),
    ]),
  );
  const lists = new DatadogAwsV2Client(http);
  const source = new DatadogPermissionSource(
    { standard: () => lists.getIamPermissionsStandard(), resourceCollection: () => lists.getIamPermissionsResourceCollection() },
    { onFallback: datadog.onPermissionsFallback },
  );
  return {
    organizationsClient,
    organizations: new OrganizationsReader(organizationsClient),
    datadog: ports.get(routing.defaultTarget.name)!,
    targets: datadogTargets(ports),
    permissions: () => source.current(),
    now: () => new Date(),
  };
}
