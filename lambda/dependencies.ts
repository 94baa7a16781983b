import { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from './aws-config';
import type { Config } from './config/schema';
import type { AwsIntegrationPort } from './datadog/port';
import { MemberAccess } from './observe/member-access';
import type { ObserveDependencies } from './observe/observe-account';
import { organizationDependencies, type DatadogOptions } from './organization-dependencies';

export type PipelineDependencies = ObserveDependencies & {
  readonly datadog: AwsIntegrationPort;
  readonly organizationsClient: OrganizationsClient;
};

/** Real AWS SDK clients and the Datadog port for the per-account pipeline. */
export function pipelineDependencies(config: Config, env: NodeJS.ProcessEnv, datadog: DatadogOptions = {}): PipelineDependencies {
  const aws = awsClientConfig(env);
  return {
    ...organizationDependencies(config, env, datadog),
    memberAccess: new MemberAccess(new STSClient(aws), (credentials) => new IAMClient({ ...aws, credentials })),
    now: () => new Date(),
  };
}
