import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { Config } from './config/schema';
import { createIntegrationPort, type DatadogDependencies } from './datadog/factory';
import type { AwsIntegrationPort } from './datadog/port';
import { MemberAccess } from './observe/member-access';
import type { ObserveDependencies } from './observe/observe-account';
import { OrganizationsReader } from './observe/organizations';

/**
 * Real AWS SDK clients for the pipeline. Endpoints come from the SDK's own chain, so
 * AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) points everything at an emulator.
 */
export function awsClientConfig(env: NodeJS.ProcessEnv): { region: string; maxAttempts: number } {
  // Organizations and IAM are global services homed in us-east-1; STS works from any region.
  return { region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1', maxAttempts: 6 };
}

export type PipelineDependencies = ObserveDependencies & { readonly datadog: AwsIntegrationPort };

export function pipelineDependencies(
  config: Config,
  env: NodeJS.ProcessEnv,
  datadog: Omit<DatadogDependencies, 'env' | 'secretsManager'> = {},
): PipelineDependencies {
  const aws = awsClientConfig(env);
  return {
    organizations: new OrganizationsReader(new OrganizationsClient(aws)),
    memberAccess: new MemberAccess(new STSClient(aws), (credentials) => new IAMClient({ ...aws, credentials })),
    datadog: createIntegrationPort(config.datadog, {
      ...datadog,
      env,
      secretsManager: () => new SecretsManagerClient(aws),
    }),
    now: () => new Date(),
  };
}
