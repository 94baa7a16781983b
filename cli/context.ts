import { readFile } from 'node:fs/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { configFromEnvironment, mergeConfig } from '../lambda/config/environment';
import { parseConfig, type Config } from '../lambda/config/schema';
import { InputError } from '../lambda/domain/errors';
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
  /** Reads standard input (handle-event -); tests pass their own. */
  readonly readStdin?: () => Promise<string>;
  /** On a terminal: apply asks before it changes anything and draws a progress bar. */
  readonly isInteractive?: () => boolean;
  /** Asks a question on the terminal and returns the answer. */
  readonly prompt?: (question: string) => Promise<string>;
  readonly now?: () => number;
  /** The working directory, where `migrate` looks for cdk.json; default process.cwd(). */
  readonly cwd?: () => string;
}

export interface GlobalOptions {
  config?: string;
  site?: string;
  secretId?: string;
}

export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read config file ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Config file, then the standard environment, then command-line flags: later wins. */
export async function loadCliConfig(options: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Config> {
  const fromFile = options.config ? await readConfigFile(options.config) : {};
  return mergeCliConfig(fromFile, options.config, options, env);
}

/**
 * A configuration read from `source` (a file, cdk.json's context), with the standard
 * environment and the flags over it. The source alone must be a valid configuration: a wrong
 * shape must not vanish in the merge.
 */
export function mergeCliConfig(fromSource: unknown, source: string | undefined, options: GlobalOptions, env: NodeJS.ProcessEnv): Config {
  if (source) parseConfig(fromSource, source);
  const fromFlags = {
    datadog: {
      ...(options.site !== undefined && { site: options.site }),
      ...(options.secretId !== undefined && { credentialsSecretId: options.secretId }),
    },
  };
  const label = source ? `${source} (with the environment and flags)` : 'configuration';
  return parseConfig(mergeConfig(fromSource, configFromEnvironment(env), fromFlags), label);
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
