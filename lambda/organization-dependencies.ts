import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from './aws-config';
import type { Config } from './config/schema';
import { createIntegrationPort, type DatadogDependencies } from './datadog/factory';
import type { AwsIntegrationPort } from './datadog/port';
import { OrganizationsReader } from './observe/organizations';

export type DatadogOptions = Omit<DatadogDependencies, 'env' | 'secretsManager'>;

/** Organizations and Datadog: what the org-wide reconciler reads (no IAM or STS loaded). */
export function organizationDependencies(
  config: Config,
  env: NodeJS.ProcessEnv,
  datadog: DatadogOptions = {},
): { organizationsClient: OrganizationsClient; organizations: OrganizationsReader; datadog: AwsIntegrationPort } {
  const aws = awsClientConfig(env);
  const organizationsClient = new OrganizationsClient(aws);
  return {
    organizationsClient,
    organizations: new OrganizationsReader(organizationsClient),
    datadog: createIntegrationPort(config.datadog, { ...datadog, env, secretsManager: () => new SecretsManagerClient(aws) }),
  };
}
