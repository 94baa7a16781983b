import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from '../lambda/aws-config';
import type { Config } from '../lambda/config/schema';
import { credentialsProvider } from '../lambda/datadog/credentials';
import { createIntegrationPort, createV1Client, createV2Client, type DatadogDependencies } from '../lambda/datadog/factory';
import type { AwsIntegrationPort } from '../lambda/datadog/port';
import { pipelineDependencies, type PipelineDependencies } from '../lambda/dependencies';
import type { RetryNotice } from '../lambda/datadog/http';
import type { DatadogAwsV1Client } from '../lambda/datadog/v1/client';
import type { DatadogAwsV2Client } from '../lambda/datadog/v2/client';
import type { Output } from './output';

/** What the CLI needs from the outside world; tests pass their own. */
export interface CliDependencies {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly secretsManager?: () => SecretsManagerClient;
  /** Reads what a deployed stack publishes (--from-stack); tests may pass their own. */
  readonly ssm?: () => SSMClient;
  /** Reads standard input (handle-event -); tests pass their own. */
  readonly readStdin?: () => Promise<string>;
  /** On a terminal: apply asks before it changes anything and draws a progress bar. */
  readonly isInteractive?: () => boolean;
  /** Asks a question on the terminal and returns the answer. */
  readonly prompt?: (question: string) => Promise<string>;
  readonly now?: () => number;
  /** The directory the command was started from, where ./cdk.json is looked for; default INIT_CWD (npm run), else process.cwd(). */
  readonly cwd?: () => string;
}

export interface GlobalOptions {
  config?: string;
  /** `--from-stack` alone is true: the default stack name. */
  fromStack?: string | true;
  site?: string;
  secretId?: string;
}

/** How every Datadog client of the CLI is built: each key it reads is masked in the output. */
function datadogDependencies(deps: CliDependencies, output: Output): DatadogDependencies {
  output.addSecrets(deps.env.DD_API_KEY, deps.env.DD_APP_KEY);
  return {
    env: deps.env,
    secretsManager: deps.secretsManager ?? (() => new SecretsManagerClient({})),
    fetch: deps.fetch,
    sleep: deps.sleep,
    onCredentials: (credentials) => output.addSecrets(credentials.apiKey, credentials.appKey),
    onRetry: (notice) => output.stderr(retryLine(notice)),
  };
}

export function datadogV1Client(config: Config, deps: CliDependencies, output: Output): DatadogAwsV1Client {
  return createV1Client(config.datadog, datadogDependencies(deps, output));
}

export function datadogV2Client(config: Config, deps: CliDependencies, output: Output): DatadogAwsV2Client {
  return createV2Client(config.datadog, datadogDependencies(deps, output));
}

/** The version-independent port of one API version, whatever datadog.apiVersion says. */
export function datadogPort(config: Config, apiVersion: 'v1' | 'v2', deps: CliDependencies, output: Output): AwsIntegrationPort {
  return createIntegrationPort({ ...config.datadog, apiVersion }, datadogDependencies(deps, output));
}

export function retryLine(notice: RetryNotice): string {
  const seconds = (notice.delayMs / 1000).toFixed(1);
  return `dd-aws-org: ${notice.error.message}; retrying in ${seconds} s\n`;
}

/** The AWS and Datadog dependencies of a CLI run, with every key it reads masked in the output. */
export function cliPipeline(config: Config, deps: CliDependencies, output: Output, json: boolean | undefined): PipelineDependencies {
  output.addSecrets(deps.env.DD_API_KEY, deps.env.DD_APP_KEY);
  return pipelineDependencies(config, deps.env, {
    fetch: deps.fetch,
    sleep: deps.sleep,
    onCredentials: (credentials) => output.addSecrets(credentials.apiKey, credentials.appKey),
    // Retry notices would break --json on a shared terminal: only for humans.
    onRetry: json ? undefined : (notice) => output.stderr(retryLine(notice)),
  });
}

/**
 * Before converging accounts one by one (each failure would be that account's): the Datadog keys
 * are there and AWS accepts the credentials. Either failing is the run's problem: exit 2, once.
 */
export async function checkRunCredentials(config: Config, deps: CliDependencies, output: Output): Promise<void> {
  const secretId = config.datadog.credentialsSecretId;
  const datadogKeys = credentialsProvider({ secretId, env: deps.env, secretsManager: deps.secretsManager ?? (() => new SecretsManagerClient(awsClientConfig(deps.env))) });
  // The environment's keys need no call; a secret is read once AWS is known to accept the caller.
  if (!secretId) await datadogKeys();
  await new STSClient(awsClientConfig(deps.env)).send(new GetCallerIdentityCommand({}));
  if (secretId) {
    const keys = await datadogKeys();
    output.addSecrets(keys.apiKey, keys.appKey);
  }
}
