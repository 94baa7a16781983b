import { Command, Option } from 'commander';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import { InputError } from '../../lambda/domain/errors';
import { datadogV1Client, loadCliConfig, type CliDependencies, type GlobalOptions } from '../context';
import { accountIdArg, filterTagArg, hostTagArg, namespaceRuleArg, regionArg, roleNameArg } from '../options';
import { table, type Output } from '../output';

/**
 * `integration ...`: Datadog's six v1 AWS integration operations, one command each.
 * `--json` prints Datadog's response body as it came.
 */

interface SettingsOptions {
  hostTag?: string[];
  filterTag?: string[];
  excludedRegion?: string[];
  namespace?: Record<string, boolean>;
  metrics?: boolean;
  cspm?: boolean;
  resourceCollection?: boolean;
}

interface RefOptions {
  accountId: string;
  roleName: string;
}

function addSettingsOptions(command: Command): Command {
  return command
    .option('--host-tag <key:value>', 'tag for every host and metric of this account (repeatable)', hostTagArg)
    .option('--filter-tag <key:value>', 'only import EC2 hosts with this tag; ! in front excludes, ? and * match (repeatable)', filterTagArg)
    .option('--excluded-region <region>', 'do not collect metrics from this region (repeatable)', regionArg)
    .option('--namespace <ns=true|false>', 'turn one metric namespace on or off, e.g. auto_scaling=false (repeatable)', namespaceRuleArg)
    .addOption(new Option('--metrics', 'collect metrics (Datadog default: on)'))
    .addOption(new Option('--no-metrics', 'do not collect metrics').default(undefined))
    .addOption(new Option('--resource-collection', 'collect resource attributes and configuration (extended resource collection)'))
    .addOption(new Option('--no-resource-collection', 'turn extended resource collection off').default(undefined))
    .addOption(new Option('--cspm', 'cloud security posture management; implies --resource-collection, which Datadog requires for it'))
    .addOption(new Option('--no-cspm', 'turn cloud security posture management off').default(undefined));
}

function addRefOptions(command: Command): Command {
  return command
    .requiredOption('--account-id <id>', 'AWS account ID, 12 digits', accountIdArg)
    .requiredOption('--role-name <name>', 'IAM role that Datadog assumes in the account', roleNameArg);
}

/** Only the fields the user gave: an update leaves everything else as Datadog has it. */
function settingsBody(options: SettingsOptions): AWSAccount {
  const body: AWSAccount = {};
  if (options.hostTag) body.host_tags = options.hostTag;
  if (options.filterTag) body.filter_tags = options.filterTag;
  if (options.excludedRegion) body.excluded_regions = options.excludedRegion;
  if (options.namespace) body.account_specific_namespace_rules = options.namespace;
  if (options.metrics !== undefined) body.metrics_collection_enabled = options.metrics;
  if (options.resourceCollection !== undefined) body.extended_resource_collection_enabled = options.resourceCollection;
  if (options.cspm !== undefined) body.cspm_resource_collection_enabled = options.cspm;
  if (options.cspm === true) {
    if (options.resourceCollection === false) {
      throw new InputError('--cspm needs extended resource collection: drop --no-resource-collection');
    }
    body.extended_resource_collection_enabled = true;
  }
  return body;
}

function onOff(value: boolean | undefined, fallback: boolean): string {
  return (value ?? fallback) ? 'on' : 'off';
}

function describeAccount(account: AWSAccount): string[] {
  const rules = Object.entries(account.account_specific_namespace_rules ?? {})
    .map(([ns, on]) => `${ns}=${on ? 'on' : 'off'}`)
    .join(',');
  return [
    account.account_id ?? '',
    account.role_name ? `role ${account.role_name}` : account.access_key_id ? `key ${account.access_key_id}` : '',
    onOff(account.metrics_collection_enabled, true),
    onOff(account.extended_resource_collection_enabled ?? account.resource_collection_enabled, false),
    onOff(account.cspm_resource_collection_enabled, false),
    (account.host_tags ?? []).join(','),
    (account.filter_tags ?? []).join(','),
    (account.excluded_regions ?? []).join(','),
    rules,
  ];
}

export function integrationCommand(deps: CliDependencies, output: Output): Command {
  const group = new Command('integration').description("Datadog's AWS integrations, one command per API operation (v1)");

  const client = async (command: Command) => {
    const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>(), deps.env);
    return datadogV1Client(config, deps, output);
  };

  group
    .command('list')
    .description('list the AWS integrations of the Datadog organization')
    .option('--account-id <id>', 'only this AWS account', accountIdArg)
    .option('--role-name <name>', 'only integrations with this role name', roleNameArg)
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: { accountId?: string; roleName?: string; json?: boolean }, command: Command) => {
      const response = await (await client(command)).listAccounts({ accountId: options.accountId, roleName: options.roleName });
      if (options.json) return output.json(response);
      const accounts = response.accounts ?? [];
      if (accounts.length === 0) return output.line('No AWS integrations match.');
      output.line(
        table(
          ['ACCOUNT ID', 'AUTH', 'METRICS', 'RESOURCES', 'CSPM', 'HOST TAGS', 'FILTER TAGS', 'EXCLUDED REGIONS', 'NAMESPACE RULES'],
          accounts.map(describeAccount),
        ),
      );
      output.line(`${accounts.length} integration${accounts.length === 1 ? '' : 's'}`);
    });

  addSettingsOptions(addRefOptions(group.command('create')))
    .description('create an AWS integration and print its external ID')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & SettingsOptions & { json?: boolean }, command: Command) => {
      const body: AWSAccount = { account_id: options.accountId, role_name: options.roleName, ...settingsBody(options) };
      const response = await (await client(command)).createAccount(body);
      if (options.json) return output.json(response);
      output.line(`Created the AWS integration for account ${options.accountId} with role ${options.roleName}.`);
      output.line(`External ID: ${response.external_id ?? '(none returned)'}`);
      output.line(`Use it as the sts:ExternalId condition in the trust policy of role ${options.roleName}.`);
    });

  addSettingsOptions(addRefOptions(group.command('update')))
    .description('change an AWS integration; only the options given are changed')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & SettingsOptions & { json?: boolean }, command: Command) => {
      const changes = settingsBody(options);
      if (Object.keys(changes).length === 0) {
        throw new InputError('nothing to update: give at least one option to change (see --help)');
      }
      const ref = { accountId: options.accountId, roleName: options.roleName };
      const response = await (await client(command)).updateAccount(ref, {
        account_id: options.accountId,
        role_name: options.roleName,
        ...changes,
      });
      if (options.json) return output.json(response);
      output.line(`Updated the AWS integration for account ${options.accountId} with role ${options.roleName}: ${Object.keys(changes).join(', ')}.`);
    });

  addRefOptions(group.command('delete'))
    .description('delete an AWS integration')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & { json?: boolean }, command: Command) => {
      const response = await (await client(command)).deleteAccount({ account_id: options.accountId, role_name: options.roleName });
      if (options.json) return output.json(response);
      output.line(`Deleted the AWS integration for account ${options.accountId} with role ${options.roleName}.`);
    });

  group
    .command('namespaces')
    .description('list the AWS namespaces that --namespace rules can name')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const namespaces = await (await client(command)).listAvailableNamespaces();
      if (options.json) return output.json(namespaces);
      for (const namespace of namespaces) output.line(namespace);
    });

  addRefOptions(group.command('rotate-external-id'))
    .description('generate a new external ID; the old one stops working')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & { json?: boolean }, command: Command) => {
      const response = await (await client(command)).createNewExternalId({ account_id: options.accountId, role_name: options.roleName });
      if (options.json) return output.json(response);
      output.line(`New external ID for account ${options.accountId} with role ${options.roleName}: ${response.external_id ?? '(none returned)'}`);
      output.line(`The previous external ID no longer works: put the new one in the sts:ExternalId condition of role ${options.roleName}'s trust policy.`);
    });

  return group;
}
