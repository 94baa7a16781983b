import { readFileSync } from 'node:fs';
import type { Config } from '../../lambda/config/schema';
import type { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';

export type ApiVersion = Config['datadog']['apiVersion'];

/** Both Datadog API versions: the suites that use this run every test once per version. */
export const API_VERSIONS = ['v1', 'v2'] as const satisfies readonly ApiVersion[];

/**
 * CLI arguments with datadog.apiVersion set: a given `--config <file>` is rewritten into a copy
 * with the version merged in, else a config file of the version alone goes first.
 */
export function withApiVersion(
  args: readonly string[],
  apiVersion: ApiVersion,
  write: (name: string, content: object) => string,
): string[] {
  const at = args.indexOf('--config');
  if (at < 0) return ['--config', write(`api-${apiVersion}.json`, { datadog: { apiVersion } }), ...args];
  const path = args[at + 1]!;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return [...args]; // a missing or broken file: left for the CLI to refuse
  }
  const datadog = { ...(config.datadog as object | undefined), apiVersion };
  const merged = write(`${apiVersion}-${path.split('/').pop()}`, { ...config, datadog });
  return [...args.slice(0, at + 1), merged, ...args.slice(at + 2)];
}

/**
 * A new account's actions, in order. v1 creates the integration first (its create answers the
 * external ID), then the role; v2 mints the ID (POST generate_new_external_id), creates the
 * role trusting it, then the integration with it.
 */
export const newAccountActions = (apiVersion: ApiVersion): string[] =>
  apiVersion === 'v2' ? ['create-role', 'create-integration'] : ['create-integration', 'create-role'];

/**
 * Our integration exists but the role is gone. v1 cannot read the external ID back, so it
 * rotates and recreates; v2 lists it, so it recreates the role trusting it (no rotation).
 */
export const missingRoleActions = (apiVersion: ApiVersion): string[] =>
  apiVersion === 'v2' ? ['create-role'] : ['rotate-external-id', 'create-role'];

/** The path of Datadog's list of integrations in each version. */
export const integrationListUrl = (apiVersion: ApiVersion): string =>
  apiVersion === 'v2' ? '/api/v2/integration/aws/accounts' : '/api/v1/integration/aws';

/** Exactly the list of integrations (a fault's target; not the permission lists). */
export const integrationListPath = (apiVersion: ApiVersion): RegExp => new RegExp(`^${integrationListUrl(apiVersion)}$`);

/** The body of an empty list of integrations in each version. */
export const emptyIntegrationList = (apiVersion: ApiVersion): object => (apiVersion === 'v2' ? { data: [] } : { accounts: [] });

/** The config UUID (v2's address of an integration) of the account's integration with the role, as the stand-in stores it. */
export const configIdOf = (datadog: DatadogStandin, accountId: string, roleName: string): string | undefined =>
  datadog.store.v2Stored().find((a) => a.attributes.aws_account_id === accountId && JSON.stringify(a.attributes.auth_config).includes(`"role_name":"${roleName}"`))?.id;
