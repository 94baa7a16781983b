import { Command, Option } from 'commander';
import { PARTITIONS, type Partition } from '../../lambda/domain/partition';
import type { Config } from '../../lambda/config/schema';
import { loadCliConfig } from '../config-source';
import { routingOf } from '../../lambda/config/profiles';
import { InputError } from '../../lambda/domain/errors';
import { datadogV1Client, datadogV2Client, type CliDependencies, type GlobalOptions } from '../context';
import { checkNamespaceRules, type ApiVersion } from '../namespaces';
import { accountIdArg, filterTagArg, hostTagArg, namespaceRuleArg, regionArg, roleNameArg } from '../options';
import { table, type Output } from '../output';
import type { IntegrationApi } from './integration-api';
import {
  printCreated,
  printDeleted,
  printRotated,
  printTable,
  printUpdated,
  type JsonOption,
  type RefOptions,
  type SettingsOptions,
} from './integration-common';
import { v1IntegrationApi } from './integration-v1';
import { v2IntegrationApi } from './integration-v2';

/**
 * `integration ...`: Datadog's AWS integration operations, one command each, through the v1
 * or the v2 API (`--api-version`, default datadog.apiVersion): one implementation of each
 * subcommand over IntegrationApi (integration-v1.ts, integration-v2.ts). `--json` prints
 * Datadog's response body as it came: the configuration's source is on stderr only.
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

interface ApiVersionOption {
  apiVersion?: ApiVersion;
}

/** The configuration whose datadog section is that of the profile's Datadog target (the top level's without --profile). */
function profileTarget(config: Config, profile: string | undefined): Config {
  if (profile === undefined) return config;
  const target = routingOf(config).targets.find((t) => t.profiles.includes(profile));
  if (!target) {
    const known = config.profiles.map((p) => p.name);
    throw new InputError(`--profile ${profile}: no such profile in the configuration${known.length > 0 ? `; its profiles: ${known.join(', ')}` : ' (it has none)'}`);
  }
  return { ...config, datadog: target.datadog };
}

/** The one place the CLI picks an API version's implementation. */
function integrationApi(apiVersion: ApiVersion, config: Config, deps: CliDependencies, output: Output): IntegrationApi {
  return apiVersion === 'v2' ? v2IntegrationApi(datadogV2Client(config, deps, output)) : v1IntegrationApi(datadogV1Client(config, deps, output));
}

export function integrationCommand(deps: CliDependencies, output: Output): Command {
  const group = new Command('integration')
    .description("Datadog's AWS integrations, one command per API operation (v1 or v2: --api-version)")
    .addOption(
      new Option('--api-version <version>', "Datadog API to use, before or after the subcommand (default: the config's datadog.apiVersion, else v2)").choices([
        'v1',
        'v2',
      ]),
    )
    .option('--profile <name>', "the Datadog organization of this profile (its site, API URL and keys from its secret; default: the top level's)");

  /** The config, the API version chosen, and the namespace rules checked against it. */
  const session = async (command: Command, namespace?: Record<string, boolean>): Promise<IntegrationApi> => {
    const options = command.optsWithGlobals<GlobalOptions & ApiVersionOption & { profile?: string }>();
    const config = profileTarget(await loadCliConfig(options, deps, output, { inJson: false }), options.profile);
    const apiVersion = options.apiVersion ?? config.datadog.apiVersion;
    if (namespace) checkNamespaceRules(apiVersion, namespace);
    return integrationApi(apiVersion, config, deps, output);
  };

  group
    .command('list')
    .description('list the AWS integrations of the Datadog organization (v2 also shows external IDs and config IDs)')
    .option('--account-id <id>', 'only this AWS account', accountIdArg)
    .option('--role-name <name>', 'only integrations with this role name (v2: matched by the CLI)', roleNameArg)
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: { accountId?: string; roleName?: string } & JsonOption, command: Command) => {
      const { body, headers, rows } = await (await session(command)).list(options);
      if (options.json) return output.json(body);
      printTable(output, rows, (cells) => table([...headers], cells));
    });

  addSettingsOptions(addRefOptions(group.command('create')))
    .description('create an AWS integration and print its external ID')
    .addOption(new Option('--partition <partition>', "the account's AWS partition (v2 only; v1 has none)").choices(PARTITIONS).default('aws'))
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & SettingsOptions & JsonOption & { partition: Partition }, command: Command) => {
      const { body, externalId } = await (await session(command, options.namespace)).create(options, options, options.partition);
      if (options.json) return output.json(body);
      printCreated(output, options, externalId);
    });

  addSettingsOptions(addRefOptions(group.command('update')))
    .description('change an AWS integration; only the options given are changed')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: RefOptions & SettingsOptions & JsonOption, command: Command) => {
      const { body, fields } = await (await session(command, options.namespace)).update(options, options);
      if (options.json) return output.json(body);
      printUpdated(output, options, fields);
    });

  addRefOptions(group.command('delete'))
    .description('delete an AWS integration')
    .option('--json', "print Datadog's response as JSON (v2 answers 204: {})")
    .action(async (options: RefOptions & JsonOption, command: Command) => {
      const { body } = await (await session(command)).delete(options);
      if (options.json) return output.json(body);
      printDeleted(output, options);
    });

  group
    .command('namespaces')
    .description('list the namespaces that --namespace rules can name (v1 keys such as ec2, v2 CloudWatch names such as AWS/EC2)')
    .option('--json', "print Datadog's response as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const { body, names } = await (await session(command)).namespaces();
      if (options.json) return output.json(body);
      for (const name of names) output.line(name);
    });

  addRefOptions(group.command('rotate-external-id'))
    .description('generate a new external ID; the old one stops working (v2: mint one, then write it into the integration)')
    .option('--json', "print Datadog's response as JSON (v2: the PATCH response)")
    .action(async (options: RefOptions & JsonOption, command: Command) => {
      const { body, externalId } = await (await session(command)).rotateExternalId(options);
      if (options.json) return output.json(body);
      printRotated(output, options, externalId);
    });

  // The group's options (--api-version) show in each subcommand's help.
  for (const command of group.commands) command.configureHelp({ showGlobalOptions: true });
  return group;
}
