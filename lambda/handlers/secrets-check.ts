import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../aws-config';
import { createSecretsCheckHandler } from '../deployment/secrets-check';

const clientConfig = awsClientConfig(process.env);

/** The custom resource that fails a deploy when a profile's Datadog secret does not exist (lib/functions/secrets-check.ts). */
export const handler = createSecretsCheckHandler({
  client: new SecretsManagerClient(clientConfig),
  region: clientConfig.region,
  log: (line) => process.stdout.write(`${line}\n`),
});
