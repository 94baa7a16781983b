import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DatadogConfig } from '../config/schema';
import type { TimeBudget } from '../domain/time-budget';
import { credentialsProvider, type DatadogCredentials } from './credentials';
import { DatadogHttp, type RetryNotice } from './http';
import { siteApiBaseUrl } from './sites';
import { DatadogV1Integrations } from './v1/adapter';
import { DatadogAwsV1Client } from './v1/client';
import { DatadogV2Integrations } from './v2/adapter';
import { DatadogAwsV2Client } from './v2/client';
import type { AwsIntegrationPort } from './port';

export interface DatadogDependencies {
  readonly env: NodeJS.ProcessEnv;
  /** Built only if a credentials secret is configured. */
  readonly secretsManager: () => SecretsManagerClient;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (notice: RetryNotice) => void;
  /** The worker's invocation time left (no limit when absent). */
  readonly budget?: TimeBudget;
  /** Told the keys once read, so that an output layer can mask them. */
  readonly onCredentials?: (credentials: DatadogCredentials) => void;
}

export function datadogBaseUrl(config: DatadogConfig): string {
  return config.apiUrl ?? siteApiBaseUrl(config.site);
}

export function createDatadogHttp(config: DatadogConfig, deps: DatadogDependencies): DatadogHttp {
  const secretId = config.credentialsSecretId;
  const provider = credentialsProvider({ secretId, env: deps.env, secretsManager: deps.secretsManager });
  return new DatadogHttp({
    baseUrl: datadogBaseUrl(config),
    credentials: async () => {
      const credentials = await provider();
      deps.onCredentials?.(credentials);
      return credentials;
    },
    credentialsHint: secretId
      ? `the apiKey and appKey of Secrets Manager secret "${secretId}"`
      : 'DD_API_KEY (API key) and DD_APP_KEY (application key)',
    timeoutMs: config.requestTimeoutMs,
    maxAttempts: config.maxAttempts,
    maxRetryWaitMs: config.maxRetryWaitSeconds * 1000,
    fetch: deps.fetch,
    sleep: deps.sleep,
    onRetry: deps.onRetry,
    budget: deps.budget,
  });
}

export function createV1Client(config: DatadogConfig, deps: DatadogDependencies): DatadogAwsV1Client {
  return new DatadogAwsV1Client(createDatadogHttp(config, deps));
}

export function createV2Client(config: DatadogConfig, deps: DatadogDependencies): DatadogAwsV2Client {
  return new DatadogAwsV2Client(createDatadogHttp(config, deps));
}

/** The version-independent port for datadog.apiVersion, for the convergence pipeline and the CLI. */
export function createIntegrationPort(config: DatadogConfig, deps: DatadogDependencies): AwsIntegrationPort {
  return integrationPortOver(config.apiVersion, createDatadogHttp(config, deps));
}

export function integrationPortOver(apiVersion: DatadogConfig['apiVersion'], http: DatadogHttp): AwsIntegrationPort {
  return apiVersion === 'v2' ? new DatadogV2Integrations(new DatadogAwsV2Client(http)) : new DatadogV1Integrations(new DatadogAwsV1Client(http));
}
