import { Command, Option } from 'commander';
import type { AWSAccountPartition } from '../../lambda/datadog/v2/types';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import { loadCliConfig } from '../config-source';
import { datadogV1Client, datadogV2Client, type CliDependencies, type GlobalOptions } from '../context';
import { checkNamespaceRules, type ApiVersion } from '../namespaces';
import { accountIdArg, filterTagArg, hostTagArg, namespaceRuleArg, regionArg, roleNameArg } from '../options';
import { table, type Output } from '../output';
import {
  authLabel,
  cspmTurnsOnResources,
  describeRow,
  LIST_HEADERS,
  nothingToUpdate,
  printCreated,
  printDeleted,
  printRotated,
  printTable,
  printUpdated,
  type JsonOption,
  type RefOptions,
  type SettingsOptions,
} from './integration-common';
import { createV2, deleteV2, listV2, namespacesV2, PARTITIONS, rotateV2, updateV2 } from './integration-v2';

/**
 * `integration ...`: Datadog's AWS integration operations, one command each, through the v1
 * or the v2 API (`--api-version`, default datadog.apiVersion). `--json` prints Datadog's
 * response body as it came: the configuration's source is on stderr only, never added to it.
 */

function addSettingsOptions(command: Command): Command {
  return command
    .option('--host-tag <key:value>', 'tag for every host and metric of this account (repeatable)', hostTagArg)
    .option('--filter-tag <key:value>', 'only import EC2 hosts with this tag; ! in front excludes, ? and * match (repeatable)', filterTagArg)
    .option(
      '--excluded-region <region>',
      'do not collect metrics from this region (repeatable). v2 has no exclusion list: the CLI sends include_only = the ' +
        "partition's other known regions, so a region AWS adds later is not collected until included",
      regionArg,
    )
    .option(
      '--namespace <ns=true|false>',
      'turn one metric namespace on or off (repeatable): v1 keys such as auto_scaling=false, v2 CloudWatch names such as AWS/AutoScaling=false',
      namespaceRuleArg,
    )
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
  if (cspmTurnsOnResources(options)) body.extended_resource_collection_enabled = true;
  return body;
}

function describeAccount(account: AWSAccount): string[] {
  return describeRow({
    accountId: account.account_id,
    auth: authLabel(account.role_name, account.access_key_id),
    metrics: account.metrics_collection_enabled,
    resources: account.extended_resource_collection_enabled ?? account.resource_collection_enabled,
    cspm: account.cspm_resource_collection_enabled,
    hostTags: account.host_tags,
    filterTags: account.filter_tags,
    excludedRegions: account.excluded_regions,
    namespaceRules: account.account_specific_namespace_rules,
  });
}

interface ApiVersionOption {
  apiVersion?: ApiVersion;
}

export function integrationCommand(deps: CliDependencies, output: Output): Command {
  const group = new Command('integration')
    .description("Datadog's AWS integrations, one command per API operation (v1 or v2: --api-version)")
    .addOption(
      new Option('--api-version <version>', "Datadog API to use, before or after the subcommand (default: the config's datadog.apiVersion, else v2)").choices([
        'v1',
        'v2',
      ]),
    );

  /** The config, the API version chosen, and the namespace rules checked against it. */
  const session = async (command: Command, namespace?: Record<string, boolean>) => {
    const options = command.optsWithGlobals<GlobalOptions & ApiVersionOption>();
    const config = await loadCliConfig(options, deps, output, { inJson: false });
    const apiVersion = options.apiVersion ?? config.datadog.apiVersion;
    if (namespace) checkNamespaceRules(apiVersion, namespace);
    return {
      apiVersion,
      v1: () => datadogV1Client(config, deps, output),
      v2: () => datadogV2Client(config, deps, output),
    };
  };

  group
    .command('list')
    .description('list the AWS integrations of the Datadog organization (v2 also shows external IDs and config IDs)')
    .option('--account-id <id>', 'only this AWS account', accountIdArg)
    .option('--role-name <name>', 'only integrations with this role name (v2: matched by the CLI)', roleNameArg)
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: { accountId?: string; roleName?: string } & JsonOption, command: Command) => {
      const api = await session(command);
      if (api.apiVersion === 'v2') return listV2(api.v2(), output, options);
      const response = await api.v1().listAccounts({ accountId: options.accountId, roleName: options.roleName });
      if (options.json) return output.json(response);
      printTable(output, (response.accounts ?? []).map(describeAccount), (rows) => table(LIST_HEADERS, rows));
    });

  addSettingsOptions(addRefOptions(group.command('create')))
    .description('create an AWS integration and print its external ID')
    .addOption(new Option('--partition <partition>', "the account's AWS partition (v2 only; v1 has none)").choices(PARTITIONS).default('aws'))
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & SettingsOptions & JsonOption & { partition: AWSAccountPartition }, command: Command) => {
      const api = await session(command, options.namespace);
      if (api.apiVersion === 'v2') return createV2(api.v2(), output, options);
      const body: AWSAccount = { account_id: options.accountId, role_name: options.roleName, ...settingsBody(options) };
      const response = await api.v1().createAccount(body);
      if (options.json) return output.json(response);
      printCreated(output, options, response.external_id);
    });

  addSettingsOptions(addRefOptions(group.command('update')))
    .description('change an AWS integration; only the options given are changed')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & SettingsOptions & JsonOption, command: Command) => {
      const api = await session(command, options.namespace);
      if (api.apiVersion === 'v2') return updateV2(api.v2(), output, options);
      const changes = settingsBody(options);
      if (Object.keys(changes).length === 0) throw nothingToUpdate();
      const ref = { accountId: options.accountId, roleName: options.roleName };
      const response = await api.v1().updateAccount(ref, { account_id: options.accountId, role_name: options.roleName, ...changes });
      if (options.json) return output.json(response);
      printUpdated(output, options, Object.keys(changes));
    });

  addRefOptions(group.command('delete'))
    .description('delete an AWS integration')
    .option('--json', "print Datadog's response as JSON (v2 answers 204: {})")
    .action(async (options: RefOptions & JsonOption, command: Command) => {
      const api = await session(command);
      if (api.apiVersion === 'v2') return deleteV2(api.v2(), output, options);
      const response = await api.v1().deleteAccount({ account_id: options.accountId, role_name: options.roleName });
      if (options.json) return output.json(response);
      printDeleted(output, options);
    });

  group
    .command('namespaces')
    .description('list the namespaces that --namespace rules can name (v1 keys such as ec2, v2 CloudWatch names such as AWS/EC2)')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const api = await session(command);
      if (api.apiVersion === 'v2') return namespacesV2(api.v2(), output, options);
      const namespaces = await api.v1().listAvailableNamespaces();
      if (options.json) return output.json(namespaces);
      for (const namespace of namespaces) output.line(namespace);
    });

  addRefOptions(group.command('rotate-external-id'))
    .description('generate a new external ID; the old one stops working (v2: mint one, then write it into the integration)')
    .option('--json', "print Datadog's response as JSON (v2: the PATCH response)")
    .action(async (options: RefOptions & JsonOption, command: Command) => {
      const api = await session(command);
      if (api.apiVersion === 'v2') return rotateV2(api.v2(), output, options);
      const response = await api.v1().createNewExternalId({ account_id: options.accountId, role_name: options.roleName });
      if (options.json) return output.json(response);
      printRotated(output, options, response.external_id);
    });

  // The group's options (--api-version) show in each subcommand's help.
  for (const command of group.commands) command.configureHelp({ showGlobalOptions: true });
  return group;
}
